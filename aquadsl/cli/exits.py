"""Named exit codes shared by every command."""

OK = 0
ERROR = 1            # diagnostics, bad input, a failed batch
CHANGES = 2          # `diff`: the two sides differ; `fmt --check`: files would change
USAGE = 64           # a bad command line (unknown option, missing argument)
BAD_PLAN = 65        # a plan file that is corrupt, not a plan, or inconsistent
INTERNAL = 70        # an internal error (a bug): one line asking for a report
CANT_CREATE = 73     # an output file cannot or must not be written (an input, a device, no permission)
INTERRUPTED = 130    # Ctrl-C

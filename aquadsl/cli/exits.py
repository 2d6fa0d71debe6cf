"""Named exit codes shared by every command."""

OK = 0
ERROR = 1            # diagnostics, bad input, a failed batch
CHANGES = 2          # `diff`: the two sides differ; `fmt --check`: files would change
USAGE = 64           # a bad command line (unknown option, missing argument)
INTERNAL = 70        # an internal error (a bug): one line asking for a report
INTERRUPTED = 130    # Ctrl-C

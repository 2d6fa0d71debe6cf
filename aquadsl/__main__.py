"""`python -m aquadsl` and the `aquadsl` script run the command line.

A Ctrl-C before the command line is imported (click, pydantic, Django: up to a second or more on a busy
machine) ends the process at once with one line and exit code 130, never a traceback. The interpreter's
own start-up, before this file runs, is outside its reach.
"""

import os
import signal

INTERRUPTED = 130   # aquadsl.cli.exits.INTERRUPTED, not imported: this runs before any heavy import


def _interrupted_at_start_up(signum, frame) -> None:
    os.write(2, b"error[AQS505]: interrupted during start-up; nothing was changed\n")
    os._exit(INTERRUPTED)


def run() -> None:
    """Install the start-up Ctrl-C handler, import the command line, then hand Ctrl-C back to it."""
    signal.signal(signal.SIGINT, _interrupted_at_start_up)
    if os.environ.get("AQUADSL_FAULT_INJECTION"):
        from aquadsl.runtime.faults import inject

        inject("startup", "cli", 1)   # a test's fault point: hold the process here
    from aquadsl.cli import main

    signal.signal(signal.SIGINT, signal.default_int_handler)   # commands turn KeyboardInterrupt into 130
    main()


if __name__ == "__main__":
    run()

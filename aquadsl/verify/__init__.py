"""`aquadsl verify`: checks of a loaded database against its plan, as findings (see ``findings``).

Native checks (the farm schema) and target checks (a user's schema, run in the target's interpreter)
both produce a ``VerifyReport``, so one renderer and one set of exit codes serve both.
"""

from aquadsl.verify.findings import EXIT_FAILED, EXIT_OK, Finding, VerifyReport

__all__ = ["EXIT_FAILED", "EXIT_OK", "Finding", "VerifyReport"]

"""A test hook for the crash tests: die by SIGKILL at a named point.

`SLUICE_KILL_AT=<module>:<phase>:<step>` kills the process right after that step, the way a
lost machine would; `<module>:<phase>:end` after the phase committed. Nothing else reads it.
"""

from __future__ import annotations

import os
import signal

KILL_AT = "SLUICE_KILL_AT"


def fault_point(name: str) -> None:
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)

"""Worker processes that die with the build that started them.

A SIGKILLed build cannot clean up, and its pool workers do not notice on their own: with the
forkserver start method a worker's parent is the fork server, which stays alive as long as any
worker holds its "alive" pipe (every worker does), and an idle worker waits on a queue whose
write end it holds itself. So they ran on for 15+ minutes in 4 of 10 kills (issue 17).

Three guards, set up in the worker initializer with `die_with(owner())` taken in the build:
  1. Linux `prctl(PR_SET_PDEATHSIG, SIGKILL)`: the kernel kills the worker when its parent
     (the fork server, or the build itself with fork/spawn) dies.
  2. A check at start that the build is still the process that started us (pid and start
     time), since it may be gone before the worker got this far.
  3. A watchdog thread that ends the worker within a second of the build's death: it waits on
     a pidfd where the kernel has one, else polls. This is what catches the forkserver case.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time

#: From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1
#: How often the polling watchdog looks (seconds) when there is no pidfd.
POLL_SECONDS = 0.5

Owner = tuple[int, int | None]


def _start_time(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (Linux /proc), None when unknown or gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == b"Z":  # dead, not yet reaped
        return None
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def owner() -> Owner:
    """This process as workers should know it: (pid, start time or None off Linux)."""
    return os.getpid(), _start_time(os.getpid()) if sys.platform.startswith("linux") else None


def alive(who: Owner) -> bool:
    """True while the process `who` runs (the same process: a reused pid does not count)."""
    pid, started = who
    if started is not None:
        return _start_time(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _set_parent_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(who: Owner) -> None:
    """Return when `who` has ended (a pidfd wakes up at once; else poll)."""
    pidfd = -1
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(who[0])
        except OSError:
            pidfd = -1
    if pidfd >= 0 and alive(who):  # the pidfd is of the right process
        try:
            select.select([pidfd], [], [])  # readable once the process has exited
            return
        except OSError:
            pass
        finally:
            os.close(pidfd)
    while alive(who):
        time.sleep(POLL_SECONDS)


def die_with(who: Owner) -> None:
    """Make this (worker) process end when the process `who` ends, however it ends."""
    _set_parent_death_signal()
    if not alive(who):
        os._exit(1)

    def watchdog() -> None:
        _watch(who)
        os._exit(1)  # no clean-up: the build that wanted the results is gone

    threading.Thread(target=watchdog, name="esfgraph-lifeline", daemon=True).start()


__all__ = ["alive", "die_with", "owner"]

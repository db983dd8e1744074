"""Take the network away from the processes that evaluate SPARQL, and tie children to parents.

pyoxigraph evaluates `SERVICE <url>` (and `LOAD <url>` in updates) by opening a connection
itself. esfgraph's guard refuses such queries, but a parser can be wrong; this module is the
layer under it. A query worker calls `deny_network()` before it opens the store, and from then
on the kernel refuses it (and every thread it starts) any socket but a Unix one:

1. a seccomp-BPF filter (no privileges needed, Linux on x86_64 or aarch64) makes `socket()`
   fail with EACCES for every address family except AF_UNIX, and `io_uring_setup` fail (an
   io_uring could open sockets past the filter);
2. where the process may (root, or user namespaces allowed), it also moves into a new, empty
   network namespace, which has no interface but a loopback that is down.

Either layer alone stops a connection; `deny_network` reports which ones hold, and callers warn
when neither could be set up (another OS, seccomp disabled). `die_with_parent()` makes a child
process receive SIGKILL when its parent dies, so a killed server or build leaves no worker.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import struct
import sys
from dataclasses import dataclass

# linux/audit.h, asm/unistd.h (per architecture), linux/seccomp.h, linux/filter.h, sys/prctl.h
_ARCHES = {
    # machine: (AUDIT_ARCH, __NR_socket, __NR_io_uring_setup, __NR_seccomp)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
_X32_BIT = 0x40000000
_AF_UNIX = 1
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_CLONE_NEWNET = 0x40000000
# BPF instruction classes used below
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06


@dataclass(frozen=True)
class NetworkDenial:
    """Which layers took the network away from this process."""

    seccomp: bool
    namespace: bool
    detail: str = ""

    @property
    def effective(self) -> bool:
        """At least one kernel layer refuses network sockets."""
        return self.seccomp or self.namespace

    def describe(self) -> str:
        """One line for logs and warnings."""
        layers = [name for name, on in (("seccomp", self.seccomp),
                                        ("network namespace", self.namespace)) if on]
        if layers:
            return "query workers have no network (" + " + ".join(layers) + ")"
        return ("WARNING: query workers could not be cut off from the network "
                f"({self.detail or 'unsupported platform'}); only the SPARQL guard stands "
                "between a query and the network")


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _filter_program(arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    """The BPF program: only AF_UNIX sockets, no io_uring, nothing from a foreign ABI."""
    deny = _RET_ERRNO | errno.EACCES
    # offsets in struct seccomp_data: nr 0, arch 4, args[0] 16 (low 32 bits, little endian)
    prog = [
        _insn(_LD_W_ABS, 0, 0, 4),                 # 0: A = arch
        _insn(_JEQ_K, 1, 0, arch),                 # 1: native arch? skip the deny
        _insn(_RET_K, 0, 0, deny),                 # 2: foreign ABI (e.g. i386 int 0x80): deny
        _insn(_LD_W_ABS, 0, 0, 0),                 # 3: A = syscall number
        _insn(_JGE_K, 0, 1, _X32_BIT),             # 4: x32 ABI numbers
        _insn(_RET_K, 0, 0, deny),                 # 5
        _insn(_JEQ_K, 0, 1, nr_io_uring),          # 6: io_uring_setup
        _insn(_RET_K, 0, 0, deny),                 # 7
        _insn(_JEQ_K, 0, 3, nr_socket),            # 8: socket(domain, ...)? else allow
        _insn(_LD_W_ABS, 0, 0, 16),                # 9: A = domain
        _insn(_JEQ_K, 1, 0, _AF_UNIX),             # 10: AF_UNIX: allow
        _insn(_RET_K, 0, 0, deny),                 # 11: any other family
        _insn(_RET_K, 0, 0, _RET_ALLOW),           # 12
    ]
    return b"".join(prog)


def _install_seccomp() -> str:
    """Install the filter on every thread of this process; '' on success, else why not."""
    if not sys.platform.startswith("linux"):
        return f"seccomp is Linux-only (this is {sys.platform})"
    arch = _ARCHES.get(platform.machine())
    if arch is None:
        return f"no seccomp filter for {platform.machine()}"
    audit_arch, nr_socket, nr_io_uring, nr_seccomp = arch
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
    code = _filter_program(audit_arch, nr_socket, nr_io_uring)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc.syscall.restype = ctypes.c_long
    rc = libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
                      ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(prog))
    if rc != 0:
        return f"seccomp() failed: {os.strerror(ctypes.get_errno())}"
    return ""


def _unshare_network() -> str:
    """Move into a new network namespace; '' on success, else why not."""
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux-only"
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) != 0:
        return f"unshare(CLONE_NEWNET): {os.strerror(ctypes.get_errno())}"
    return ""


def deny_network() -> NetworkDenial:
    """Cut this process (all its threads, now and later) off from the network, irreversibly.

    Call it in a child process before it does anything with untrusted input. Unix-domain
    sockets and pipes keep working (the worker talks to its parent over a pipe).
    """
    ns_error = _unshare_network()  # before seccomp, which would not stop unshare but is simpler
    sc_error = _install_seccomp()
    detail = "; ".join(e for e in (sc_error, ns_error) if e)
    return NetworkDenial(seccomp=not sc_error, namespace=not ns_error, detail=detail)


def die_with_parent(expected_parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; no-op elsewhere).

    `expected_parent` closes the race where the parent died before the call: then we exit now.
    """
    if sys.platform.startswith("linux"):
        _libc().prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)


def probe() -> NetworkDenial:
    """What `deny_network` achieves here, tried in a throw-away child (the caller keeps its network).

    Servers print it at start, so an operator sees at once whether the kernel layer holds.
    """
    if not hasattr(os, "fork"):
        return NetworkDenial(False, False, f"no fork() on {sys.platform}")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            result = deny_network()
            os.write(write_end, f"{int(result.seccomp)}{int(result.namespace)}{result.detail}"
                     .encode()[:4000])
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read().decode()
    os.waitpid(pid, 0)
    if len(data) < 2:
        return NetworkDenial(False, False, "the probe process failed")
    return NetworkDenial(data[0] == "1", data[1] == "1", data[2:])


__all__ = ["NetworkDenial", "deny_network", "die_with_parent", "probe"]

"""Linux isolation primitives for the student process: namespaces, Landlock, seccomp, limits.

Every function here is a thin, checked wrapper over one kernel interface and reports whether
it took effect, so the caller can record which layers a run really had:

* :func:`enter_namespaces` (in the supervisor): new PID, mount, network, IPC and UTS
  namespaces (inside a new user namespace unless the grader runs as root);
* :func:`mount_private_proc` (in the namespace's first process): a ``/proc`` that shows only
  the job's own processes;
* :func:`drop_capabilities`: no capability left, none regained on ``exec``;
* :func:`landlock`: read-only access to the given trees, read-write to the working
  directory, no TCP, and (Landlock ABI 6) no signals or abstract sockets outside the sandbox;
* :func:`seccomp_filter`: no ``AF_UNIX`` sockets (Landlock does not cover ``connect()``), no
  io_uring, ptrace, ``process_vm_*``, ``unshare``/``setns``, bpf, userfaultfd, perf or keyring,
  no clearing of the parent-death signal;
* :func:`set_limits`: address space, file size, core files and CPU time;
* :func:`join_task_cgroup` (in the supervisor, where cgroups can be created): at most
  :data:`MAX_TASKS` processes per job.

:func:`carve` computes the read-only trees: the interpreter's trees with the kit's own package
folders (and its materials) cut out, because Landlock can only grant, never deny a subtree.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import platform
import resource
import signal
import struct
from collections.abc import Iterable, Sequence

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, PR_SET_CHILD_SUBREAPER = 1, 38, 22, 36
PR_CAPBSET_DROP, PR_SET_SECUREBITS, SECBIT_NOROOT, SECBIT_NOROOT_LOCKED = 24, 28, 1, 2
_SYS_LANDLOCK = (444, 445, 446)  # create_ruleset, add_rule, restrict_self (all arches)
LL_EXECUTE, LL_WRITE_FILE, LL_READ_FILE, LL_READ_DIR = 1, 2, 4, 8
LL_TRUNCATE, LL_IOCTL_DEV = 1 << 14, 1 << 15
LL_READ = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR
LL_FILE_ONLY = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
LL_SCOPE_ABSTRACT_UNIX, LL_SCOPE_SIGNAL = 1, 2
DEVICES_READ = ("/dev/zero", "/dev/urandom", "/dev/random", "/dev/full")
DEVICES_RW = ("/dev/null",)
Grant = tuple[str, bool, bool]  # (path, is a folder, listing only)
NAMESPACES_SWITCH = "SEMINARKIT_GRADING_NAMESPACES"  # "off": behave as a kernel without them
SYSTEM_TREES = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc",
                "/sys/devices/system/cpu")

# seccomp: syscall numbers per architecture (audit arch, then names -> numbers).
_ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (0xC000003E, {"socket": 41, "socketpair": 53, "prctl": 157, "ptrace": 101,
                            "process_vm_readv": 310, "process_vm_writev": 311, "unshare": 272,
                            "setns": 308, "bpf": 321, "userfaultfd": 323,
                            "perf_event_open": 298, "keyctl": 250, "add_key": 248,
                            "request_key": 249, "io_uring_setup": 425, "io_uring_enter": 426,
                            "io_uring_register": 427, "mount": 165, "umount2": 166,
                            "pivot_root": 155, "open_tree": 428, "move_mount": 429,
                            "fsopen": 430, "fsmount": 432}),
    "aarch64": (0xC00000B7, {"socket": 198, "socketpair": 199, "prctl": 167, "ptrace": 117,
                             "process_vm_readv": 270, "process_vm_writev": 271, "unshare": 97,
                             "setns": 268, "bpf": 280, "userfaultfd": 282,
                             "perf_event_open": 241, "keyctl": 219, "add_key": 217,
                             "request_key": 218, "io_uring_setup": 425, "io_uring_enter": 426,
                             "io_uring_register": 427, "mount": 40, "umount2": 39,
                             "pivot_root": 41, "open_tree": 428, "move_mount": 429,
                             "fsopen": 430, "fsmount": 432}),
}
_DENIED = ("ptrace", "process_vm_readv", "process_vm_writev", "unshare", "setns", "bpf",
           "userfaultfd", "perf_event_open", "keyctl", "add_key", "request_key",
           "io_uring_setup", "io_uring_enter", "io_uring_register", "mount", "umount2",
           "pivot_root", "open_tree", "move_mount", "fsopen", "fsmount")


@functools.lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL:
    """Return the C library (the interpreter's own symbols: no ``ldconfig`` run, loaded once)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def is_linux() -> bool:
    """Return True on Linux (the only platform with these layers)."""
    return platform.system() == "Linux"


def set_parent_death_signal() -> None:
    """Be killed when the parent dies (Linux); the seccomp filter stops code clearing it."""
    if is_linux():
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def set_child_subreaper() -> bool:
    """Adopt orphaned descendants (so a sweep can find them); True if it took effect."""
    return is_linux() and _libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def enter_namespaces() -> bool:
    """Put this process's future children in new PID, mount, network, IPC and UTS namespaces.

    They are created inside a new user namespace (so no privilege is needed); a grader run
    as root whose kernel refuses user namespaces creates them without one. Return True on
    success.
    """
    if not is_linux() or os.environ.get(NAMESPACES_SWITCH) == "off":
        return False
    libc = _libc()
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(flags | CLONE_NEWUSER) == 0:
        _map_self(uid, gid)
        return True
    return os.geteuid() == 0 and bool(libc.unshare(flags) == 0)


def _map_self(uid: int, gid: int) -> None:
    """Map our own user and group as root of the new user namespace (so files can be made)."""
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"),
                       ("gid_map", f"0 {gid} 1")):
        with contextlib.suppress(OSError), open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)


def mount_private_proc() -> bool:
    """In a new mount + PID namespace: stop mount propagation and mount a fresh ``/proc``."""
    libc = _libc()
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    return bool(libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           None) == 0)


def mount_private_workdir(path: str, size_mb: float) -> bool:
    """Mount a size-capped tmpfs on the job's working folder (in its own mount namespace).

    What the submission writes then lives and dies with the job and cannot fill the disk the
    grader writes its gradebook to.
    """
    options = f"size={max(16, int(size_mb))}m,mode=0700".encode()
    libc = _libc()
    if libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                  ctypes.c_char_p(options)) != 0:
        return False
    try:  # files can be made there (our user is mapped in the namespace that owns it)
        os.close(os.open(os.path.join(path, ".probe"), os.O_CREAT | os.O_WRONLY, 0o600))
        os.unlink(os.path.join(path, ".probe"))
    except OSError:
        unmount(path)  # back to the folder on disk
        return False
    return True


def unmount(path: str) -> None:
    """Detach whatever is mounted on ``path`` in this mount namespace (the job's tmpfs)."""
    if is_linux():
        _libc().umount2(path.encode(), 2)  # MNT_DETACH


def drop_capabilities() -> bool:
    """Drop every capability for good (bounding set, root's exec grant, the current sets).

    The process keeps its user id: a grader run as root has student processes whose uid is
    0 but that hold no capability, and Landlock, the namespaces and the seccomp filter are
    what confine them.
    """
    if not is_linux():
        return os.geteuid() != 0
    libc = _libc()
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    libc.prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0)
    header = struct.pack("=Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = ctypes.create_string_buffer(24)  # two zeroed __user_cap_data_struct
    if libc.capset(ctypes.c_char_p(header), data) != 0:
        return False
    libc.capget(ctypes.c_char_p(header), data)
    return not any(data.raw)


def landlock_abi() -> int:
    """Return the kernel's Landlock ABI version (0 when unavailable)."""
    if not is_linux():
        return 0
    syscall = _libc().syscall
    syscall.restype = ctypes.c_long
    return max(0, int(syscall(_SYS_LANDLOCK[0], None, ctypes.c_size_t(0), ctypes.c_uint32(1))))


def _handled(abi: int) -> int:
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= 1 << 13  # REFER
    if abi >= 3:
        handled |= LL_TRUNCATE
    if abi >= 5:
        handled |= LL_IOCTL_DEV
    return handled


def landlock(readable: Iterable[Grant], writable: Sequence[str]) -> dict[str, bool]:
    """Restrict this process (and its future children) to the given trees.

    ``readable`` holds :data:`Grant` triples (read and execute, or listing only);
    ``writable`` folders get every access. Return which parts took effect: ``filesystem`` (the rules), ``signals`` and
    ``abstract_sockets`` (ABI 6 scoping) and ``tcp`` (ABI 4: no TCP bind or connect at all).
    """
    done = {"filesystem": False, "signals": False, "abstract_sockets": False, "tcp": False}
    abi = landlock_abi()
    if abi < 1:
        return done
    libc = _libc()
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    handled = _handled(abi)
    attr = struct.pack("=Q", handled)
    if abi >= 4:
        attr += struct.pack("=Q", 3)  # BIND_TCP | CONNECT_TCP, no rule allows either
    if abi >= 6:
        attr += struct.pack("=Q", LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL)
    ruleset = syscall(_SYS_LANDLOCK[0], ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                      ctypes.c_uint32(0))
    if ruleset < 0:
        return done

    def allow(path: str, access: int, is_dir: bool) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            mask = access & handled if is_dir else access & LL_FILE_ONLY & handled
            rule = struct.pack("=Qi", mask, fd)
            syscall(_SYS_LANDLOCK[1], ctypes.c_int(ruleset), ctypes.c_int(1),
                    ctypes.c_char_p(rule), ctypes.c_uint32(0))
        finally:
            os.close(fd)

    for path, is_dir, listing in readable:
        allow(path, LL_READ_DIR if listing else LL_READ, is_dir)
    for path in DEVICES_READ:
        allow(path, LL_READ_FILE, False)
    for path in DEVICES_RW:
        allow(path, LL_READ_FILE | LL_WRITE_FILE | LL_TRUNCATE, False)
    for path in writable:
        allow(path, handled, True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        os.close(ruleset)
        return done
    ok = syscall(_SYS_LANDLOCK[2], ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0
    os.close(ruleset)
    if ok:
        done.update(filesystem=True, tcp=abi >= 4, signals=abi >= 6, abstract_sockets=abi >= 6)
    return done


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_program(arch: str) -> bytes | None:
    """Return the BPF program of :func:`seccomp_filter` for ``arch`` (None if unsupported)."""
    if arch not in _ARCHES:
        return None
    audit_arch, nr = _ARCHES[arch]
    ld_w, jeq, jge, ret, and_k = 0x20, 0x15, 0x35, 0x06, 0x54
    allow, eperm, eacces = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 13
    af_unix, sock_type_mask, sock_stream = 1, 0xF, 1
    prog: list[bytes] = [_bpf(ld_w, 0, 0, 4), _bpf(jeq, 1, 0, audit_arch),
                         _bpf(ret, 0, 0, eperm), _bpf(ld_w, 0, 0, 0)]
    if arch == "x86_64":  # x32 system calls carry bit 30
        prog += [_bpf(jge, 0, 1, 0x40000000), _bpf(ret, 0, 0, eperm)]
    for name in _DENIED:
        prog += [_bpf(jeq, 0, 1, nr[name]), _bpf(ret, 0, 0, eperm)]
    # prctl(PR_SET_PDEATHSIG, ...) is refused: the parent-death signal must stay.
    prog += [_bpf(jeq, 0, 3, nr["prctl"]), _bpf(ld_w, 0, 0, 16),
             _bpf(jeq, 0, 1, PR_SET_PDEATHSIG), _bpf(ret, 0, 0, eperm), _bpf(ld_w, 0, 0, 0)]
    # socket(AF_UNIX, ...) is refused; socketpair(AF_UNIX, SOCK_STREAM) (asyncio) is allowed.
    prog += [_bpf(jeq, 0, 3, nr["socket"]), _bpf(ld_w, 0, 0, 16),
             _bpf(jeq, 0, 1, af_unix), _bpf(ret, 0, 0, eacces), _bpf(ld_w, 0, 0, 0)]
    prog += [_bpf(jeq, 0, 5, nr["socketpair"]), _bpf(ld_w, 0, 0, 16),
             _bpf(jeq, 0, 3, af_unix), _bpf(ld_w, 0, 0, 24), _bpf(and_k, 0, 0, sock_type_mask),
             _bpf(jeq, 0, 1, sock_stream)]
    prog += [_bpf(ret, 0, 0, allow), _bpf(ret, 0, 0, eacces)]
    return b"".join(prog)


def seccomp_filter() -> bool:
    """Install the system-call filter on this process and its future children."""
    if not is_linux():
        return False
    program = seccomp_program(platform.machine())
    if program is None:
        return False
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = struct.pack("=HxxxxxxQ", len(program) // 8, ctypes.addressof(buffer))
    return bool(libc.prctl(PR_SET_SECCOMP, 2, ctypes.c_char_p(fprog), 0, 0) == 0)


def set_limits(memory_mb: float, cpu_seconds: float) -> None:
    """Address space = current size + ``memory_mb``; 64 MB files; no core; a CPU backstop."""
    if is_linux():
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + int(memory_mb * 1024 * 1024)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))
    cpu = int(cpu_seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

internal import CProcessWatch
import Glibc

/// An open process descriptor (pidfd): it names one process, never a later one with the same
/// pid, and becomes readable when that process exits. Closed when dropped.
final class ProcessDescriptor: @unchecked Sendable {
    let fd: Int32
    let pid: Int32

    /// Nil when no process has `pid`, or no descriptor can be opened (`errno` says which).
    init?(pid: Int32) {
        guard pid > 0 else { return nil }
        let fd = ccgd_pidfd_open(pid)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.pid = pid
    }

    /// Whether no process has `pid` right now. `kill` with signal 0 sends nothing; EPERM means
    /// the process is there but another user's.
    static func isFree(_ pid: Int32) -> Bool {
        guard pid > 0 else { return true }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    var hasExited: Bool { ccgd_pidfd_exited(fd) == 1 }

    deinit { close(fd) }
}

import Glibc

/// One process's exclusive claim on a directory, for as long as the process lives: a POSIX
/// record lock on `ccgd.lock` in it. The kernel drops the lock when the process ends, however it
/// ends, and tells a second claimant the holder's pid; the pid is also written into the file for
/// people. The file is opened close-on-exec (a plug-in never holds it) and never through a symlink.
package final class DirectoryLock: Sendable {
    package static let fileName = "ccgd.lock"

    package let directory: String
    private let descriptor: Int32

    /// Claims `directory` (made 0700 when missing, with its missing parents), or throws `held`
    /// naming the process that has it. `purpose` names the directory in messages ("state directory").
    package init(claiming directory: String, purpose: String) throws(DirectoryLockError) {
        var prefix = directory.hasPrefix("/") ? "" : "."
        for name in directory.split(separator: "/").dropLast() {
            prefix += "/" + name
            _ = mkdir(prefix, 0o700)
        }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .unusable(purpose: purpose, FileSystemError("create", path: directory, errno: errno))
        }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw .unusable(purpose: purpose, FileSystemError("open the directory", path: directory, errno: errno)) }
        defer { close(folder) }
        let path = directory + "/" + Self.fileName
        let fd = openat(folder, Self.fileName, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unusable(purpose: purpose, FileSystemError("open", path: path, errno: errno)) }
        var lock = Self.wholeFile(F_WRLCK)
        guard fcntl(fd, F_SETLK, &lock) == 0 else {
            let failure = errno
            let holder = Self.holder(fd)
            close(fd)
            if failure == EAGAIN || failure == EACCES { throw .held(directory: directory, purpose: purpose, pid: holder) }
            throw .unusable(purpose: purpose, FileSystemError("lock", path: path, errno: failure))
        }
        // For people: the kernel answers a second claimant itself.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.directory = directory
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// The pid of the process that holds `directory`'s lock, 0 when the kernel cannot name it,
    /// nil when nobody holds it. Creates and changes nothing (for `--check-config`).
    package static func holder(of directory: String) -> pid_t? {
        let fd = open(directory + "/" + fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return holder(fd)
    }

    private static func holder(_ fd: Int32) -> pid_t? {
        var probe = wholeFile(F_WRLCK)
        guard fcntl(fd, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
        return max(probe.l_pid, 0)
    }

    private static func wholeFile(_ type: Int32) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        return lock
    }
}

/// Why a directory could not be claimed.
package enum DirectoryLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds it; `pid` 0 when the kernel cannot say which (another pid namespace).
    case held(directory: String, purpose: String, pid: pid_t?)
    case unusable(purpose: String, FileSystemError)

    package var description: String {
        switch self {
        case let .held(directory, purpose, pid):
            let holder = pid.map { $0 > 0 ? "process \($0)" : "a process of another PID namespace" } ?? "another process"
            return
                "the \(purpose) \(directory) is in use by another ccgd (\(holder)); stop that one first (systemctl stop ccgd), or give this one its own --state-directory and --runtime-directory."
        case let .unusable(purpose, error):
            return "cannot lock the \(purpose): \(error)"
        }
    }
}

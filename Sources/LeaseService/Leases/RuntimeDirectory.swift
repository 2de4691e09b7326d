import DurableFiles
import Glibc

/// ccgd's runtime directory: `leases/` (the lease directories, 0711: anyone may reach a lease
/// directory whose 128-bit name they know, nobody may list them) and `private/` (0700: ccgd's own
/// krb5.conf and scratch files). Write access to any of them is root, so start-up checks them
/// through descriptors before anything is written: the runtime directory must be ccgd's, not
/// writable by group or others, reached through directories only root or ccgd can change, and
/// not a symlink itself; `leases` and `private` must be ccgd's directories (a symlink is refused,
/// never followed, and nothing is removed or chmodded through it).
package final class RuntimeDirectory: Sendable {
    package let path: String
    package var leases: String { Self.leases(in: path) }
    /// ccgd's own files: its krb5.conf, and ticket caches written while an account is fetched.
    package var privateDirectory: String { path + "/private" }
    /// The process's Kerberos configuration (`ProcessKerberosConfiguration`), which only ccgd may write.
    package var kerberosConfiguration: String { Self.kerberosConfiguration(in: path) }

    package static func leases(in runtimeDirectory: String) -> String { runtimeDirectory + "/leases" }
    package static func kerberosConfiguration(in runtimeDirectory: String) -> String { runtimeDirectory + "/private/krb5.conf" }

    package static let mode: mode_t = 0o755
    package static let leasesMode: mode_t = 0o711
    package static let privateMode: mode_t = 0o700

    private let descriptor: Int32

    /// Makes the runtime directory at `path` when it is missing (its parents too), then opens and
    /// checks it; changes nothing in it (call `prepare` once the directory is ccgd's alone).
    package init(checking path: String) throws(RuntimeDirectoryError) {
        let owner = geteuid()
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("/") else { throw .relative(path: path) }
        Self.makeMissing(trimmed)
        let (descriptor, _) = try CheckedPath.open(trimmed, followLastSymlink: false, failure: { RuntimeDirectoryError.uninspectable(path: $0, errno: $1) }) {
            (crossing: DirectoryCrossing) throws(RuntimeDirectoryError) in
            guard crossing.status.st_uid == 0 || crossing.status.st_uid == owner else {
                throw .ancestorNotTrusted(directory: crossing.path, runtime: trimmed, uid: crossing.status.st_uid)
            }
            guard !crossing.writableByOthers(stickyIsEnough: true) else {
                throw .ancestorWritableByOthers(directory: crossing.path, runtime: trimmed, mode: crossing.status.st_mode & 0o7777)
            }
        }
        do throws(RuntimeDirectoryError) { try Self.verify(descriptor, trimmed, owner: owner) } catch {
            close(descriptor)
            throw error
        }
        // O_PATH cannot fchmod or list: the directory itself, reopened through the checked descriptor.
        let opened = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let failure = errno
        close(descriptor)
        guard opened >= 0 else { throw .uninspectable(path: trimmed, errno: failure) }
        self.path = trimmed
        self.descriptor = opened
    }

    deinit { close(descriptor) }

    /// The runtime directory itself: a directory (not a symlink), ccgd's, not writable by group or others.
    private static func verify(_ descriptor: Int32, _ path: String, owner: uid_t) throws(RuntimeDirectoryError) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .uninspectable(path: path, errno: errno) }
        guard status.st_mode & S_IFMT != S_IFLNK else { throw .symlink(path: path) }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .uninspectable(path: path, errno: ENOTDIR) }
        guard status.st_uid == owner else { throw .notOwned(path: path, uid: status.st_uid, owner: owner) }
        guard status.st_mode & (S_IWGRP | S_IWOTH) == 0 else { throw .writableByOthers(path: path, mode: status.st_mode & 0o7777) }
    }

    /// Gives the runtime directory its mode and makes or checks `private` and `leases`.
    package func prepare() throws(RuntimeDirectoryError) {
        guard fchmod(descriptor, Self.mode) == 0 else { throw .unchangeable(path: path, errno: errno) }
        try subdirectory("private", mode: Self.privateMode)
        try subdirectory("leases", mode: Self.leasesMode)
    }

    /// The directory `name` in the runtime directory, made with `mode` when missing, ccgd's and given `mode` when present.
    private func subdirectory(_ name: String, mode: mode_t) throws(RuntimeDirectoryError) {
        let full = path + "/" + name
        if mkdirat(descriptor, name, mode) != 0 && errno != EEXIST { throw .unchangeable(path: full, errno: errno) }
        let child = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw .notADirectory(path: full) }
            throw .uninspectable(path: full, errno: errno)
        }
        defer { close(child) }
        var status = stat()
        guard fstat(child, &status) == 0 else { throw .uninspectable(path: full, errno: errno) }
        guard status.st_uid == geteuid() else { throw .notOwned(path: full, uid: status.st_uid, owner: geteuid()) }
        guard fchmod(child, mode) == 0 else { throw .unchangeable(path: full, errno: errno) }
    }

    /// mkdir -p, 0755 whatever the umask: what was already there is checked afterwards, never changed here.
    private static func makeMissing(_ path: String) {
        var prefix = ""
        for name in path.split(separator: "/") {
            prefix += "/" + name
            guard mkdir(prefix, mode) == 0 else { continue }
            // Through a descriptor: the new name may already have been swapped for a symlink.
            let made = open(prefix, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if made >= 0 { _ = fchmod(made, mode); close(made) }
        }
    }
}

/// Why the runtime directory cannot be used; start-up stops with it.
package enum RuntimeDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case relative(path: String)
    case uninspectable(path: String, errno: Int32)
    case unchangeable(path: String, errno: Int32)
    case symlink(path: String)
    case notADirectory(path: String)
    case notOwned(path: String, uid: uid_t, owner: uid_t)
    case writableByOthers(path: String, mode: mode_t)
    case ancestorNotTrusted(directory: String, runtime: String, uid: uid_t)
    case ancestorWritableByOthers(directory: String, runtime: String, mode: mode_t)

    package var description: String {
        switch self {
        case let .relative(path):
            "the runtime directory \(path) is not an absolute path; give runtime-directory as one."
        case let .uninspectable(path, errno):
            "cannot open \(path) in the runtime directory: \(String(cString: strerror(errno))); check runtime-directory and that ccgd may create it."
        case let .unchangeable(path, errno):
            "cannot prepare \(path): \(String(cString: strerror(errno))); check that the runtime directory is writable by ccgd."
        case let .symlink(path):
            "the runtime directory \(path) is a symlink; ccgd does not follow it: give runtime-directory the directory itself."
        case let .notADirectory(path):
            "\(path) is a symlink or not a directory; ccgd does not follow it or remove anything through it: remove it and start ccgd again."
        case let .notOwned(path, uid, owner):
            "\(path) belongs to uid \(uid), not to ccgd (uid \(owner)): someone else made it; remove it (or give runtime-directory another directory) and start ccgd again."
        case let .writableByOthers(path, mode):
            "the runtime directory \(path) is writable by group or others (mode \(String(mode, radix: 8))); run chmod go-w \(path), check what is in it, and start ccgd again."
        case let .ancestorNotTrusted(directory, runtime, uid):
            "\(directory), above the runtime directory \(runtime), belongs to uid \(uid), who could swap the runtime directory; give runtime-directory a directory under directories of root's (e.g. /run/ccgd)."
        case let .ancestorWritableByOthers(directory, runtime, mode):
            "\(directory), above the runtime directory \(runtime), is writable by group or others without the sticky bit (mode \(String(mode, radix: 8))), so anyone could swap the runtime directory; run chmod go-w \(directory) or give runtime-directory another directory (e.g. /run/ccgd)."
        }
    }
}

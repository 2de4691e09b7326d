import CMountAPI
import Glibc

/// The lease directory (and its krb5.conf) that ccgd's answer names, opened and checked before
/// anything is mounted from it: a directory `<runtime directory>/leases/<lease id>` reached through
/// directories ccgd owns and nobody else may write, not a symlink, owned as the hook asked with
/// mode 0700. The mounts are made from these descriptors, never from the answer's path again.
final class CheckedLease {
    /// O_PATH descriptors.
    let directory: Int32
    let krb5Conf: Int32?

    /// Opens `lease`'s directory through the `leases` directory of `runtimeDirectory`, and its
    /// krb5.conf when `withKrb5Conf`; `owner` is who the hook asked the lease for.
    init(
        _ lease: LeaseClient.Granted, runtimeDirectory: String, daemonUID: UInt32, owner: (uid: UInt32, gid: UInt32),
        withKrb5Conf: Bool
    ) throws(HookFailure) {
        var runtime = runtimeDirectory
        while runtime.count > 1 && runtime.hasSuffix("/") { runtime.removeLast() }
        let leasesPath = runtime + "/leases"
        let leases = try Self.leasesDirectory(runtime, leasesPath, daemonUID: daemonUID)
        defer { close(leases) }
        let directory = try Self.leaseDirectory(lease, in: leases, leasesPath, owner: owner)
        guard withKrb5Conf else {
            self.directory = directory
            krb5Conf = nil
            return
        }
        do {
            krb5Conf = try Self.krb5Conf(lease, in: directory, owner: owner)
        } catch {
            close(directory)
            throw error
        }
        self.directory = directory
    }

    deinit {
        close(directory)
        if let krb5Conf { close(krb5Conf) }
    }

    /// `<runtime>/leases`, each of the two owned by root or ccgd's user and writable by nobody else.
    private static func leasesDirectory(_ runtime: String, _ leasesPath: String, daemonUID: UInt32) throws(HookFailure) -> Int32 {
        let runtimeFD = open(runtime, ccgd_o_path | O_DIRECTORY | O_CLOEXEC)
        guard runtimeFD >= 0 else {
            throw HookFailure(
                "cannot open ccgd's runtime directory \(runtime) (\(systemError(errno))); give the hook ccgd's runtime-directory with --runtime-directory.")
        }
        defer { close(runtimeFD) }
        try trusted(runtimeFD, runtime, daemonUID: daemonUID)
        let leases = openat(runtimeFD, "leases", ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard leases >= 0 else {
            throw HookFailure(
                "cannot open ccgd's leases directory \(leasesPath) (\(systemError(errno))); give the hook ccgd's runtime-directory with --runtime-directory.")
        }
        do { try trusted(leases, leasesPath, daemonUID: daemonUID) } catch {
            close(leases)
            throw error
        }
        return leases
    }

    private static func trusted(_ fd: Int32, _ path: String, daemonUID: UInt32) throws(HookFailure) {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw HookFailure("cannot inspect \(path): \(systemError(errno))") }
        guard status.st_uid == 0 || status.st_uid == daemonUID, status.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw HookFailure(
                "\(path) belongs to uid \(status.st_uid) with mode \(String(status.st_mode & 0o7777, radix: 8)), not to root or ccgd's uid \(daemonUID) (--daemon-uid) and writable by nobody else; the hook mounts no lease from it: check --runtime-directory and ccgd's runtime-directory."
            )
        }
    }

    /// The answer's directory, which must be `<leases>/<id>` (the same directory, however its path
    /// is spelt), opened through the hook's own descriptor of `leases`.
    private static func leaseDirectory(
        _ lease: LeaseClient.Granted, in leases: Int32, _ leasesPath: String,
        owner: (uid: UInt32, gid: UInt32)
    ) throws(HookFailure) -> Int32 {
        let notALease = HookFailure(
            "ccgd's answer names \(lease.directory) as the directory of lease \(lease.id), which is not a lease directory in ccgd's leases directory \(leasesPath) (--runtime-directory); the hook mounted nothing: is --socket ccgd's socket?"
        )
        let (parent, name) = split(lease.directory)
        guard isPlainName(lease.id), name == lease.id, parent.hasPrefix("/") else { throw notALease }
        let parentFD = open(parent, ccgd_o_path | O_DIRECTORY | O_CLOEXEC)
        guard parentFD >= 0 else { throw notALease }
        defer { close(parentFD) }
        var named = stat(), ours = stat()
        guard fstat(parentFD, &named) == 0, fstat(leases, &ours) == 0, named.st_dev == ours.st_dev, named.st_ino == ours.st_ino else {
            throw notALease
        }
        let directory = openat(leases, lease.id, ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else {
            throw HookFailure(
                "cannot open the directory of lease \(lease.id) in \(leasesPath) as a directory (\(systemError(errno))); the hook follows no symlink there and mounted nothing."
            )
        }
        var status = stat()
        guard fstat(directory, &status) == 0, status.st_uid == owner.uid, status.st_gid == owner.gid, status.st_mode & 0o7777 == 0o700 else {
            close(directory)
            throw HookFailure(
                "the directory of lease \(lease.id) belongs to \(status.st_uid):\(status.st_gid) with mode \(String(status.st_mode & 0o7777, radix: 8)), not to the container's \(owner.uid):\(owner.gid) with mode 700 as asked; the hook mounted nothing."
            )
        }
        return directory
    }

    /// The lease's krb5.conf: a regular file of the directory, owned as the directory is.
    private static func krb5Conf(_ lease: LeaseClient.Granted, in directory: Int32, owner: (uid: UInt32, gid: UInt32)) throws(HookFailure) -> Int32 {
        guard isPlainName(lease.krb5ConfName) else {
            throw HookFailure(
                "ccgd's answer names \(lease.krb5ConfName) as the krb5.conf of lease \(lease.id), which is not a file name in its directory; the hook mounted nothing."
            )
        }
        let file = openat(directory, lease.krb5ConfName, ccgd_o_path | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else {
            throw HookFailure("cannot open \(lease.krb5ConfName) of lease \(lease.id): \(systemError(errno)); the hook mounted nothing.")
        }
        var status = stat()
        guard fstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_uid == owner.uid, status.st_gid == owner.gid else {
            close(file)
            throw HookFailure(
                "\(lease.krb5ConfName) of lease \(lease.id) is not a regular file of the container's \(owner.uid):\(owner.gid); the hook mounted nothing.")
        }
        return file
    }

    /// One file name: not empty, not `.` or `..`, no `/`.
    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0)
    }

    /// A path's directory and last name ("/a/b" → ("/a", "b"); "/a" → ("/", "a")).
    private static func split(_ path: String) -> (String, String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return ("", trimmed) }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        return (parent, String(trimmed[trimmed.index(after: slash)...]))
    }
}

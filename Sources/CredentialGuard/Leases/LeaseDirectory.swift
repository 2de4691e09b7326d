import DurableFiles
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import ManagedPassword

/// The files of one lease, in a 0700 directory owned by the lease's uid, each file 0600 and
/// replaced atomically so that a container never reads half a keytab. They are not fsynced: they
/// live on /run (a tmpfs) and are rewritten from the lease records whenever ccgd starts.
struct LeaseDirectory {
    static let keytab = "krb5.keytab"
    static let ticketCache = "krb5cc"
    static let kerberosConfiguration = "krb5.conf"

    let path: String
    let owner: LeaseOwner

    /// The ccache file of the identity at `index`: the primary's is `krb5cc`, others `krb5cc-<account>`.
    static func ticketCacheName(index: Int, account: String) -> String {
        index == 0 ? ticketCache : "\(ticketCache)-\(account.hasSuffix("$") ? String(account.dropLast()) : account)"
    }

    /// Creates the directory (or fixes an existing one) with the right owner and mode.
    func prepare() throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw FileSystemError("create the lease directory", path: path, errno: errno) }
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw FileSystemError("use the lease directory", path: path, errno: ENOTDIR)
        }
        // The mode before the owner, which would otherwise take CAP_FOWNER.
        if status.st_mode & 0o7777 != 0o700, chmod(path, 0o700) != 0 {
            throw FileSystemError("change the mode of", path: path, errno: errno)
        }
        if status.st_uid != owner.uid || status.st_gid != owner.gid {
            guard chown(path, owner.uid, owner.gid) == 0 else { throw FileSystemError("change the owner of", path: path, errno: errno) }
        }
    }

    /// Creates the directory and its files for a new lease (nobody reads it before it is complete).
    func create(keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String) throws {
        guard mkdir(path, 0o700) == 0 else { throw FileSystemError("create the lease directory", path: path, errno: errno) }
        if owner.uid != getuid() || owner.gid != getgid() {
            guard chown(path, owner.uid, owner.gid) == 0 else { throw FileSystemError("change the owner of", path: path, errno: errno) }
        }
        try write(keytab: keytab, ticketCaches: ticketCaches, kerberosConfiguration: kerberosConfiguration) { buffer, file, ownership in
            try NewFile.write(buffer, to: file, ownership: ownership)
        }
    }

    /// Replaces the keytab, the ticket caches and the krb5.conf of an existing lease.
    func write(keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String) throws {
        try write(keytab: keytab, ticketCaches: ticketCaches, kerberosConfiguration: kerberosConfiguration) { buffer, file, ownership in
            try AtomicFile.write(buffer, to: file, ownership: ownership, durability: .atomicOnly)
        }
    }

    private func write(
        keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String,
        with writeFile: (UnsafeRawBufferPointer, String, FileOwnership) throws -> Void
    ) throws {
        let ownership = FileOwnership(uid: owner.uid, gid: owner.gid, mode: 0o600)
        try keytab.withUnsafeBytes { try writeFile($0, path + "/" + Self.keytab, ownership) }
        for cache in ticketCaches {
            try cache.bytes.withUnsafeBytes { try writeFile($0, path + "/" + cache.name, ownership) }
        }
        try Array(kerberosConfiguration.utf8).withUnsafeBytes { try writeFile($0, path + "/" + Self.kerberosConfiguration, ownership) }
    }

    /// Removes the directory and everything in it.
    func remove() throws {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for entry in entries where unlink(path + "/" + entry) != 0 && errno != ENOENT {
            throw FileSystemError("remove", path: path + "/" + entry, errno: errno)
        }
        guard rmdir(path) == 0 || errno == ENOENT else { throw FileSystemError("remove", path: path, errno: errno) }
    }
}

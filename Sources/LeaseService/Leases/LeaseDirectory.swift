import ContainerRequest
import DomainModel
import DurableFiles
import Glibc
import KerberosKeys

/// The files of one lease, in a 0700 directory owned by the lease's uid, each file 0600 (0750 and
/// 0640 with group access, the group the owner's gid) and replaced atomically so that a container never reads half a keytab. The directory is its
/// owner's once written: every operation goes through a descriptor of it (`DirectoryHandle`),
/// so a symlink the owner plants is never followed, and nothing in it is read back. The files
/// are not fsynced: they live on /run (a tmpfs) and are rewritten from the lease records
/// whenever ccgd starts.
struct LeaseDirectory {
    static let keytab = LeaseLayout.keytab
    static let ticketCache = LeaseLayout.ticketCache
    static let kerberosConfiguration = LeaseLayout.kerberosConfiguration

    let path: String
    let owner: LeaseOwner
    var access = LeaseFileAccess.owner

    /// The ccache file of the identity at `index`: the primary's is `krb5cc`, others
    /// `krb5cc-<account>`, the account escaped so that a name from the directory stays one file name.
    static func ticketCacheName(index: Int, account: String) -> String {
        guard index > 0 else { return ticketCache }
        return "\(ticketCache)-" + fileNameComponent(AccountName(account).bare)
    }

    /// Letters, digits, '.', '_' and '-' as they are; every other byte (the '%' too) as %XX.
    static func fileNameComponent(_ text: String) -> String {
        var result = ""
        let kept = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
        for byte in text.utf8 {
            if kept.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// Whether the directory still holds a keytab and the primary ticket cache, from their
    /// metadata only (nothing is read, no symlink followed): a restart finds them in place.
    func holdsFiles() -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var status = stat()
        for name in [Self.keytab, Self.ticketCache] {
            guard fstatat(fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size > 0 else { return false }
        }
        return true
    }

    private var directoryOwnership: FileOwnership { FileOwnership(uid: owner.uid, gid: owner.gid, mode: access.directoryMode) }
    private var fileOwnership: FileOwnership { FileOwnership(uid: owner.uid, gid: owner.gid, mode: access.fileMode) }

    /// Opens the directory, creating it when missing, and gives it back its owner and mode; a
    /// symlink in its place is refused.
    private func prepared() throws -> DirectoryHandle {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw FileSystemError("create the lease directory", path: path, errno: errno) }
        let directory = try DirectoryHandle(opening: path)
        try directory.setOwnership(directoryOwnership)
        return directory
    }

    /// Creates the directory and its files for a new lease. The directory stays ccgd's until it
    /// is complete, so its owner cannot meddle with it half-written.
    func create(keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String) throws {
        let directory = try DirectoryHandle(creating: path)
        try write(keytab: keytab, ticketCaches: ticketCaches, kerberosConfiguration: kerberosConfiguration) { buffer, name in
            try directory.create(name, with: buffer, ownership: fileOwnership)
        }
        try directory.setOwnership(directoryOwnership)
    }

    /// Replaces the keytab, the ticket caches and the krb5.conf of an existing lease (the
    /// directory is made again if it is gone).
    func write(keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String) throws {
        let directory = try prepared()
        try write(keytab: keytab, ticketCaches: ticketCaches, kerberosConfiguration: kerberosConfiguration) { buffer, name in
            try directory.replace(name, with: buffer, ownership: fileOwnership)
        }
    }

    private func write(
        keytab: SecretBytes, ticketCaches: [(name: String, bytes: SecretBytes)], kerberosConfiguration: String,
        with writeFile: (UnsafeRawBufferPointer, String) throws -> Void
    ) throws {
        try keytab.withUnsafeBytes { try writeFile($0, Self.keytab) }
        for cache in ticketCaches {
            try cache.bytes.withUnsafeBytes { try writeFile($0, cache.name) }
        }
        try Array(kerberosConfiguration.utf8).withUnsafeBytes { try writeFile($0, Self.kerberosConfiguration) }
    }

    /// Removes the directory and whatever its owner put in it, following no symlink, within
    /// `DirectoryHandle.removeTree`'s limits.
    func remove() throws {
        try DirectoryHandle.removeTree(at: path)
    }
}

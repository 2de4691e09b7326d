import Glibc
import SystemPackage

/// How hard a write tries to survive a power loss.
package enum Durability: Sendable {
    /// fsync the file before the rename and the directory after: the new content survives a crash.
    case synced
    /// Only the rename: readers never see a partial file, but a power loss may lose the update.
    /// For files that are rebuilt at start-up anyway (lease files on /run, a tmpfs).
    case atomicOnly
}

/// Replaces a file so that a reader sees either the old or the new content, never a part:
/// write a temporary file beside it, set owner and mode, sync, rename over, sync the directory.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    package static func write(
        _ bytes: some Collection<UInt8>, to path: String, ownership: FileOwnership, durability: Durability = .synced
    ) throws {
        try Array(bytes).withUnsafeBytes { try write($0, to: path, ownership: ownership, durability: durability) }
    }

    /// Writes the bytes of `buffer` (secrets included: no copy is made) to `path` atomically.
    package static func write(
        _ buffer: UnsafeRawBufferPointer, to path: String, ownership: FileOwnership, durability: Durability = .synced
    ) throws {
        let temporaryPath = temporaryName(for: path)
        let fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError("create", path: temporaryPath, errno: errno) }
        do {
            try FileDescriptor(rawValue: fd).writeAll(buffer, path: temporaryPath)
            try settle(fd, temporaryPath, ownership: ownership, durability: durability)
            close(fd)
            guard rename(temporaryPath, path) == 0 else { throw FileSystemError("rename into", path: path, errno: errno) }
        } catch {
            close(fd)
            unlink(temporaryPath)
            throw error
        }
        if durability == .synced { syncDirectory(of: path) }
    }

    /// Lets `produce` create a file at a temporary path (for C libraries that write by path),
    /// then makes it durable and renames it over `path`. The temporary file is removed on failure;
    /// `produce`'s own error is rethrown unchanged.
    package static func replace(
        _ path: String, ownership: FileOwnership, durability: Durability = .synced,
        produce: (_ temporaryPath: String) throws -> Void
    ) throws {
        let temporaryPath = temporaryName(for: path)
        do {
            try produce(temporaryPath)
            let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw FileSystemError("open", path: temporaryPath, errno: errno) }
            defer { close(fd) }
            try settle(fd, temporaryPath, ownership: ownership, durability: durability)
            guard rename(temporaryPath, path) == 0 else { throw FileSystemError("rename into", path: path, errno: errno) }
        } catch {
            unlink(temporaryPath)
            throw error
        }
        if durability == .synced { syncDirectory(of: path) }
    }

    /// A name in the same directory (rename is atomic only within one file system), hidden and unique.
    static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        // Unpredictable, so another writer of the directory cannot pre-create it.
        let random = UInt64.random(in: .min ... .max)
        return "\(directory).\(name).tmp-\(String(random, radix: 36))"
    }

    private static func settle(_ fd: Int32, _ temporaryPath: String, ownership: FileOwnership, durability: Durability) throws(FileSystemError) {
        // The mode first: once the file belongs to someone else, changing it would need CAP_FOWNER.
        guard fchmod(fd, ownership.mode) == 0 else { throw FileSystemError("change the mode of", path: temporaryPath, errno: errno) }
        if ownership.uid != nil || ownership.gid != nil {
            let uid = ownership.uid ?? uid_t.max // -1 keeps the current owner
            let gid = ownership.gid ?? gid_t.max
            guard fchown(fd, uid, gid) == 0 else { throw FileSystemError("change the owner of", path: temporaryPath, errno: errno) }
        }
        if durability == .synced {
            guard fsync(fd) == 0 else { throw FileSystemError("sync", path: temporaryPath, errno: errno) }
        }
    }

    /// Makes a rename or unlink in the directory of `path` durable.
    package static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

import Glibc
import SystemPackage

/// An open directory whose files are created, replaced and removed by name through its
/// descriptor, never by path: a symlink planted at the directory or at any name in it is not
/// followed. For directories someone else owns and may change at any moment (a lease directory
/// belongs to the container's uid). Nothing is fsynced: such files live on a tmpfs.
package struct DirectoryHandle: ~Copyable {
    /// For messages only: every operation goes through `descriptor`.
    package let path: String
    let descriptor: FileDescriptor
    /// The hidden name a replacement is written under before the rename (tests choose it).
    var temporaryName: (String) -> String = DirectoryHandle.randomTemporaryName(for:)

    init(descriptor: Int32, path: String) {
        self.descriptor = FileDescriptor(rawValue: descriptor)
        self.path = path
    }

    /// Opens the directory at `path`; a symlink or anything else there is refused, not followed.
    package init(opening path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw DirectoryHandleError.notADirectory(path: path) }
            throw FileSystemError("open the directory", path: path, errno: errno)
        }
        self.init(descriptor: descriptor, path: path)
    }

    /// Creates the directory at `path`, which must not exist, and opens it: 0700, the caller's.
    package init(creating path: String) throws {
        guard mkdir(path, 0o700) == 0 else { throw FileSystemError("create the directory", path: path, errno: errno) }
        try self.init(opening: path)
    }

    deinit { try? descriptor.close() }

    /// Gives the directory itself `ownership`, through the descriptor.
    package func setOwnership(_ ownership: FileOwnership) throws {
        var status = stat()
        guard fstat(descriptor.rawValue, &status) == 0 else { throw FileSystemError("inspect", path: path, errno: errno) }
        let uid = ownership.uid ?? status.st_uid, gid = ownership.gid ?? status.st_gid
        if status.st_mode & 0o7777 != ownership.mode {
            // The mode of another user's directory takes CAP_FOWNER to change; taking it back first takes only CAP_CHOWN.
            if status.st_uid != geteuid() {
                guard fchown(descriptor.rawValue, geteuid(), gid_t.max) == 0 else { throw FileSystemError("change the owner of", path: path, errno: errno) }
                status.st_uid = geteuid()
            }
            guard fchmod(descriptor.rawValue, ownership.mode) == 0 else { throw FileSystemError("change the mode of", path: path, errno: errno) }
        }
        if status.st_uid != uid || status.st_gid != gid {
            guard fchown(descriptor.rawValue, uid, gid) == 0 else { throw FileSystemError("change the owner of", path: path, errno: errno) }
        }
    }

    /// Creates the file `name`, which must not exist, with `buffer` as its content: for a
    /// directory nobody else can write yet, where a temporary name and a rename buy nothing.
    package func create(_ name: String, with buffer: UnsafeRawBufferPointer, ownership: FileOwnership) throws {
        try Self.check(name, in: path)
        let file = try openNew(name)
        defer { close(file) }
        try FileDescriptor(rawValue: file).writeAll(buffer, path: path + "/" + name)
        try settle(file, ownership, path + "/" + name)
    }

    /// Replaces the file `name` with `buffer` so that a reader sees the old or the new content,
    /// never a part: written under a hidden name, given its owner and mode, renamed over.
    package func replace(_ name: String, with buffer: UnsafeRawBufferPointer, ownership: FileOwnership) throws {
        try Self.check(name, in: path)
        let temporary = temporaryName(name)
        let file = try openNew(temporary)
        do {
            defer { close(file) }
            try FileDescriptor(rawValue: file).writeAll(buffer, path: path + "/" + temporary)
            try settle(file, ownership, path + "/" + temporary)
            if renameat(descriptor.rawValue, temporary, descriptor.rawValue, name) != 0 {
                // A directory planted at the name: it goes (it is in our directory), then the file takes its place.
                guard errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST else {
                    throw FileSystemError("rename into", path: path + "/" + name, errno: errno)
                }
                try remove(name)
                guard renameat(descriptor.rawValue, temporary, descriptor.rawValue, name) == 0 else {
                    throw FileSystemError("rename into", path: path + "/" + name, errno: errno)
                }
            }
        } catch {
            unlinkat(descriptor.rawValue, temporary, 0)
            throw error
        }
    }

    /// Refuses anything but one plain file name: no '/', not '.' or '..', no NUL.
    static func check(_ name: String, in directory: String) throws(DirectoryHandleError) {
        guard !name.isEmpty, name != ".", name != "..", !name.utf8.contains(UInt8(ascii: "/")), !name.utf8.contains(0) else {
            throw .invalidName(name, directory: directory)
        }
    }

    /// Opens a new file for writing; O_EXCL refuses anything already there, a symlink included.
    private func openNew(_ name: String) throws -> Int32 {
        let file = openat(descriptor.rawValue, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw FileSystemError("create", path: path + "/" + name, errno: errno) }
        return file
    }

    private func settle(_ file: Int32, _ ownership: FileOwnership, _ filePath: String) throws {
        // The mode first: once the file belongs to someone else, changing it would need CAP_FOWNER.
        guard fchmod(file, ownership.mode) == 0 else { throw FileSystemError("change the mode of", path: filePath, errno: errno) }
        if ownership.uid != nil || ownership.gid != nil {
            guard fchown(file, ownership.uid ?? uid_t.max, ownership.gid ?? gid_t.max) == 0 else {
                throw FileSystemError("change the owner of", path: filePath, errno: errno)
            }
        }
    }

    /// Hidden and unpredictable, so that the directory's owner cannot pre-create it.
    static func randomTemporaryName(for name: String) -> String {
        ".\(name).tmp-\(String(UInt64.random(in: .min ... .max), radix: 36))"
    }
}

/// Why a directory handle refused to act.
package enum DirectoryHandleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `path` is a symlink or not a directory: it is not followed.
    case notADirectory(path: String)
    /// A name given to the handle is not one plain file name.
    case invalidName(String, directory: String)
    /// A tree to remove is deeper or larger than the limits.
    case treeTooLarge(path: String, depth: Int, entries: Int)

    package var description: String {
        switch self {
        case let .notADirectory(path):
            return "\(path) is not a directory (a symlink or another file stands there); ccgd does not follow it, remove it."
        case let .invalidName(name, directory):
            return "\"\(name)\" is not a plain file name for \(directory) (no '/', not '.' or '..', no NUL); this is a bug in ccgd, report it."
        case let .treeTooLarge(path, depth, entries):
            return "\(path) holds more than \(entries) entries or is nested deeper than \(depth) levels; ccgd stopped removing it, remove it by hand."
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Creates a file that must not exist yet, straight under its name: for a directory nobody
/// reads until it is complete, where a temporary name and a rename would buy nothing.
public enum NewFile {
    public static func write(_ buffer: UnsafeRawBufferPointer, to path: String, ownership: FileOwnership) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, ownership.mode)
        guard fd >= 0 else { throw FileSystemError("create", path: path, errno: errno) }
        defer { close(fd) }
        try writeAll(fd, buffer, path: path)
        // The process umask may have narrowed the mode given to open. The mode goes before the
        // owner: once the file belongs to someone else, changing it would need CAP_FOWNER.
        if ownership.mode & ~0o600 != 0, fchmod(fd, ownership.mode) != 0 {
            throw FileSystemError("change the mode of", path: path, errno: errno)
        }
        if ownership.uid != nil || ownership.gid != nil {
            guard fchown(fd, ownership.uid ?? uid_t.max, ownership.gid ?? gid_t.max) == 0 else {
                throw FileSystemError("change the owner of", path: path, errno: errno)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Writes all of `buffer` to `fd`, retrying short writes and EINTR; `path` names it in errors.
public func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(FileSystemError) {
    var written = 0
    while written < buffer.count {
        let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
        if n < 0 {
            if errno == EINTR { continue }
            throw FileSystemError("write", path: path, errno: errno)
        }
        written += n
    }
}

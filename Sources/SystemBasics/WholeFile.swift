#if canImport(Glibc)
import Glibc
#endif

/// Whole files as bytes through read(2), EINTR and short reads handled: the one reader of the
/// programs and modules that link neither Foundation nor swift-system (the OCI hook, the shim).
package enum WholeFile {
    /// The file at `path`, at most `limit` bytes of it (read `limit + 1` to tell a file too large).
    package static func read(path: String, upTo limit: Int = .max) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        return try read(descriptor: fd, upTo: limit, path: path)
    }

    /// Everything on `fd` until its end, at most `limit` bytes; `path` names it in errors.
    package static func read(descriptor fd: Int32, upTo limit: Int = .max, path: String) throws(FileReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(1 << 16, max(limit, 1)))
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw FileReadError(operation: "read", path: path, errno: errno) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

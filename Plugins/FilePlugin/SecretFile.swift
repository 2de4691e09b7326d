import CCGPlugin
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a file that must be private, read without following a swap of the file in between.
struct SecretFile {
    var bytes: [UInt8]

    mutating func wipe() {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
        bytes = []
    }

    /// Reads `path`, refusing (like ssh with keys) a file that group or others may read or write.
    static func read(_ path: String, maximumSize: Int) throws(PluginError) -> SecretFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let code: PluginError.Code = errno == ENOENT ? .notFound : errno == EACCES ? .accessDenied : .unavailable
            throw PluginError(code, "file plug-in: cannot open \(path): \(reason); check the path in PluginInput and that ccgd may read it.")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw PluginError(.unavailable, "file plug-in: cannot inspect \(path): \(String(cString: strerror(errno))).")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw PluginError(.invalidInput, "file plug-in: \(path) is not a regular file; point PluginInput at the credentials file.")
        }
        let permissions = status.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw PluginError(.accessDenied, "file plug-in: \(path) is accessible by group or others (mode \(String(permissions, radix: 8))); run chmod 600 \(path).")
        }
        guard Int(status.st_size) <= maximumSize else {
            throw PluginError(.malformedSecret, "file plug-in: \(path) is \(status.st_size) bytes, more than a credentials file holds; check the path.")
        }
        var file = SecretFile(bytes: [UInt8](repeating: 0, count: maximumSize + 1))
        var total = 0
        while total <= maximumSize {
            let n = file.bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                file.wipe()
                throw PluginError(.unavailable, "file plug-in: cannot read \(path): \(String(cString: strerror(errno))).")
            }
            if n == 0 { break }
            total += n
        }
        guard total <= maximumSize else {
            file.wipe()
            throw PluginError(.malformedSecret, "file plug-in: \(path) grew past \(maximumSize) bytes while being read; check the path.")
        }
        file.bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base + total, $0.count - total) } }
        file.bytes.removeSubrange(total...)
        return file
    }
}

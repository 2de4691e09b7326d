import FoundationEssentials
import Glibc

extension CredentialSpec {
    /// Reads, parses and validates the CredSpec file at `url`; the only I/O in this module.
    public static func read(contentsOf url: URL) throws(CredentialSpecError) -> CredentialSpec {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        // One byte more than allowed is enough to tell that a file is too large.
        var bytes = [UInt8](repeating: 0, count: maximumByteCount + 1)
        var total = 0
        while total < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            total += n
        }
        return try CredentialSpec(jsonData: Data(bytes[..<total]))
    }
}

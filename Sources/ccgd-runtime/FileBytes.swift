import Glibc

/// Whole files through read(2): the shim needs nothing more.
enum FileBytes {
    /// Everything on `fd` until its end, or nil with errno set.
    static func readAll(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// The file at `path`; `remedy` says what to do when it is unreadable.
    static func contents(of path: String, remedy: String) throws(ShimFailure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShimFailure("cannot open \(path) (\(systemError(errno))); \(remedy)") }
        defer { close(fd) }
        guard let bytes = readAll(fd) else { throw ShimFailure("cannot read \(path) (\(systemError(errno))); \(remedy)") }
        return bytes
    }
}

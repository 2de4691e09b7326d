import Glibc

/// Whole files and standard input as bytes, through read(2): the hook needs nothing more.
enum FileBytes {
    /// Everything on file descriptor `fd` until its end, at most `limit` bytes.
    static func readAll(_ fd: Int32, limit: Int = 4 << 20) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { return nil }
        }
    }

    /// The file at `path`, or a failure naming it.
    static func contents(of path: String) throws(HookFailure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HookFailure("cannot open \(path): \(systemError(errno))") }
        defer { close(fd) }
        guard let bytes = readAll(fd) else { throw HookFailure("cannot read \(path): \(systemError(errno))") }
        return bytes
    }
}

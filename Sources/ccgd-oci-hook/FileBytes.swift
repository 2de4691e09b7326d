import Glibc
import SystemBasics

/// Whole files and standard input as bytes (SystemBasics' reader), with the hook's failures.
enum FileBytes {
    /// Everything on file descriptor `fd` until its end, at most `limit` bytes; nil with errno set when unreadable.
    static func readAll(_ fd: Int32, limit: Int = 4 << 20) -> [UInt8]? {
        do {
            let bytes = try WholeFile.read(descriptor: fd, upTo: limit + 1, path: "descriptor \(fd)")
            return bytes.count > limit ? nil : bytes
        } catch {
            errno = error.errno
            return nil
        }
    }

    /// The file at `path`, or a failure naming it.
    static func contents(of path: String) throws(HookFailure) -> [UInt8] {
        do { return try WholeFile.read(path: path) } catch {
            throw HookFailure("cannot \(error.operation) \(path): \(systemError(error.errno))")
        }
    }
}

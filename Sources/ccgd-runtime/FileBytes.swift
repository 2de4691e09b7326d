import Glibc
import SystemBasics

/// Whole files (SystemBasics' reader), with the shim's failures.
enum FileBytes {
    /// Everything on `fd` until its end, or nil with errno set.
    static func readAll(_ fd: Int32) -> [UInt8]? {
        do { return try WholeFile.read(descriptor: fd, path: "descriptor \(fd)") } catch {
            errno = error.errno
            return nil
        }
    }

    /// The file at `path`; `remedy` says what to do when it is unreadable.
    static func contents(of path: String, remedy: String) throws(ShimFailure) -> [UInt8] {
        do { return try WholeFile.read(path: path) } catch {
            throw ShimFailure("cannot \(error.operation) \(path) (\(systemError(error.errno))); \(remedy)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A file `WholeFile` could not open or read: which call, which file, and the system's reason.
package struct FileReadError: Error, Sendable, CustomStringConvertible {
    package let operation: String
    package let path: String
    package let errno: Int32

    package init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// The system's words for `errno` ("No such file or directory").
    package var reason: String { String(cString: strerror(errno)) }

    package var description: String { "cannot \(operation) \(path): \(reason)" }
}

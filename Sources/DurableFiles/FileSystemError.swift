import Glibc

/// A failed file-system call: the operation, the path and the errno, never file contents.
package struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    package let operation: String
    package let path: String
    package let errno: Int32

    package init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    package var description: String {
        let reason = String(cString: strerror(errno))
        return "cannot \(operation) \(path): \(reason); check that the directory exists and is writable by ccgd."
    }
}

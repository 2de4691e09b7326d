import Glibc

/// A failed file-system call: the operation, the path and the errno, never file contents.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "cannot \(operation) \(path): \(reason); check that the directory exists and is writable by ccgd."
    }
}

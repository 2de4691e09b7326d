import Glibc
import SystemPackage

/// Whole-buffer reads and writes over swift-system's `FileDescriptor` (short transfers and EINTR
/// retried there), with ccgd's errors: `path` names the file in them.
extension FileDescriptor {
    /// Writes all of `buffer`.
    package func writeAll(_ buffer: UnsafeRawBufferPointer, path: String) throws(FileSystemError) {
        do { _ = try writeAll(buffer) } catch { throw FileSystemError("write", path: path, errno: (error as? Errno)?.rawValue ?? EIO) }
    }

    /// Reads until the end of the file.
    package func readToEnd(path: String) throws(FileSystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count: Int
            do { count = try chunk.withUnsafeMutableBytes { try read(into: $0) } } catch {
                throw FileSystemError("read", path: path, errno: (error as? Errno)?.rawValue ?? EIO)
            }
            if count == 0 { return bytes }
            bytes += chunk[..<count]
        }
    }

    /// Fills all of `buffer` (secrets included: no copy is made); a file that ends first is an error.
    package func readExactly(into buffer: UnsafeMutableRawBufferPointer, path: String) throws(FileSystemError) {
        var offset = 0
        while offset < buffer.count {
            let count: Int
            do { count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...])) } catch {
                throw FileSystemError("read", path: path, errno: (error as? Errno)?.rawValue ?? EIO)
            }
            guard count > 0 else { throw FileSystemError("read", path: path, errno: EIO) }
            offset += count
        }
    }
}

import CredSpec
import DurableFiles
import Glibc

/// Writes a CredSpec file the way ccgd writes every file: atomically, with a mode that fits what
/// the file holds (0644, as a CredSpec holds no secret, but 0600 for an inline password).
package enum CredentialSpecFile {
    /// The mode the file of `spec` gets.
    package static func mode(of spec: CredentialSpec) -> mode_t {
        spec.holdsSecret ? 0o600 : 0o644
    }

    /// Writes `spec` to `path`; an existing file is replaced only when `replacing` is true, and
    /// the check is atomic (a link, which fails on an existing name), not a look before the write.
    package static func write(_ spec: CredentialSpec, to path: String, replacing: Bool) throws(CredSpecCreationError) {
        let bytes = Array(spec.jsonData())
        let ownership = FileOwnership(mode: mode(of: spec))
        if replacing {
            do { try AtomicFile.write(bytes, to: path, ownership: ownership) } catch { throw unwritable(path, error) }
            return
        }
        var status = stat()
        guard lstat(path, &status) != 0 else { throw .fileExists(path: path) }
        let staging = stagingName(for: path)
        do { try AtomicFile.write(bytes, to: staging, ownership: ownership) } catch { throw unwritable(path, error) }
        defer { unlink(staging) }
        guard link(staging, path) == 0 else {
            let number = errno
            if number == EEXIST { throw .fileExists(path: path) }
            throw .unwritable(path: path, reason: String(cString: strerror(number)))
        }
        AtomicFile.syncDirectory(of: path)
    }

    /// A hidden name beside `path` (ccgd ignores hidden files in its CredSpec directory).
    private static func stagingName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(directory).\(name).new-\(String(UInt64.random(in: .min ... .max), radix: 36))"
    }

    private static func unwritable(_ path: String, _ error: any Error) -> CredSpecCreationError {
        guard let failure = error as? FileSystemError else { return .unwritable(path: path, reason: "\(error)") }
        return .unwritable(path: path, reason: String(cString: strerror(failure.errno)))
    }
}

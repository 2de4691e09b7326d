import FoundationEssentials
import SystemBasics
import Glibc

extension CredentialSpec {
    /// Reads, parses and validates the CredSpec file at `url`; with the next, the only I/O in this module.
    package static func read(contentsOf url: URL) throws(CredentialSpecError) -> CredentialSpec {
        let path = url.path
        // One byte more than allowed is enough to tell that a file is too large.
        let bytes: [UInt8]
        do { bytes = try WholeFile.read(path: path, upTo: maximumByteCount + 1) } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        return try CredentialSpec(jsonData: Data(bytes))
    }

    /// Reads, parses and validates the CredSpec file open as `descriptor` (`path` names it in errors).
    package static func read(descriptor: Int32, path: String) throws(CredentialSpecError) -> CredentialSpec {
        let bytes: [UInt8]
        do { bytes = try WholeFile.read(descriptor: descriptor, upTo: maximumByteCount + 1, path: path) } catch {
            throw .unreadable(path: path, reason: error.reason)
        }
        return try CredentialSpec(jsonData: Data(bytes))
    }
}

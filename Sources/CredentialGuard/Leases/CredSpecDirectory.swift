import CredSpec
import Foundation

/// The directory of named CredSpecs (`/etc/ccgd/credspecs`, Docker's `CredentialSpecs/`).
/// A name resolves to a file directly inside it, never anywhere else.
public struct CredSpecDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Reads the CredSpec called `name` (`WebApp01` or `WebApp01.json`).
    public func read(_ name: String) throws(LeaseError) -> CredentialSpec {
        // A plain file name: no separators, no dot-dot, no hidden files, nothing to interpret.
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), !name.contains("\0"), !name.hasPrefix(".") else {
            throw .credSpecNameInvalid(name)
        }
        let file = name.lowercased().hasSuffix(".json") ? name : name + ".json"
        let full = path + "/" + file
        // Refuse a symlink (it could point out of the directory) and anything not a regular file.
        var status = stat()
        guard lstat(full, &status) == 0 else { throw .credSpecNotFound(name: name, directory: path) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .credSpecNameInvalid(name) }
        do {
            return try CredentialSpec.read(contentsOf: URL(fileURLWithPath: full))
        } catch {
            throw .credSpecInvalid(error, source: file)
        }
    }

    /// The names of the CredSpecs in the directory (file names without `.json`), sorted.
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.filter { $0.lowercased().hasSuffix(".json") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(5)) }.sorted()
    }
}

import CredSpec
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import LeaseService

extension CredSpecDirectory {
    /// One file of the directory, as ccgd would read it for a lease.
    package struct Listed: Sendable {
        /// The name a lease asks for: the file name without `.json`.
        package let name: String
        /// The file name, e.g. `WebApp01.json`.
        package let file: String
        /// The CredSpec, or why ccgd cannot use the file.
        package let spec: Result<CredentialSpec, LeaseError>
    }

    /// Every `*.json` file of the directory (hidden ones excepted, as ccgd ignores them), sorted
    /// by name; a file that does not parse is listed with its error instead of failing the rest.
    package func listing() throws(CredSpecCreationError) -> [Listed] {
        // opendir's errno says more than Foundation's error (missing, not a directory, no permission).
        guard let stream = opendir(path) else {
            throw .unreadableDirectory(path: path, reason: String(cString: strerror(errno)))
        }
        closedir(stream)
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw .unreadableDirectory(path: path, reason: "\(error)")
        }
        return files.filter { $0.lowercased().hasSuffix(".json") && !$0.hasPrefix(".") }
            .sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }.map { file in
            Listed(name: String(file.dropLast(".json".count)), file: file,
                   spec: Result { () throws(LeaseError) -> CredentialSpec in try read(file) })
        }
    }
}

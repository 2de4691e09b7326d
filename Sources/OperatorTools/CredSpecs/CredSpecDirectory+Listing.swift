import CredSpec
import FoundationEssentials
import Glibc
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
        return files.compactMap(CredSpecName.init(fileName:))
            .sorted { ($0.fileName.lowercased(), $0.fileName) < ($1.fileName.lowercased(), $1.fileName) }.map { name in
                Listed(
                    name: name.stem, file: name.fileName,
                    spec: Result { () throws(LeaseError) -> CredentialSpec in try read(name.fileName) })
            }
    }
}

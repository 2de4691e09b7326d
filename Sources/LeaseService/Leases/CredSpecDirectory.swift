import CredSpec
import DurableFiles
import FoundationEssentials
import Glibc
import Synchronization

/// The directory of named CredSpecs (`/etc/ccgd/credspecs`, Docker's `CredentialSpecs/`, a
/// Kubernetes ConfigMap volume). A name resolves to a file inside it, never anywhere else: a
/// symlink is followed only while it stays inside (a ConfigMap's `NAME.json -> ..data/NAME.json`),
/// and the atomic writer's hidden `..data` and `..2026_…` entries are never CredSpecs.
package struct CredSpecDirectory: Sendable {
    package let path: String
    /// Parsed CredSpecs by file, kept while the file's identity, size and mtime stay the same:
    /// leases of one CredSpec then share one parsed value instead of reading the file each time.
    private let parsed = ParsedCredSpecs()

    package init(path: String) {
        self.path = path
    }

    /// Reads the CredSpec called `name` (`WebApp01` or `WebApp01.json`).
    package func read(_ name: String) throws(LeaseError) -> CredentialSpec {
        // A plain file name: no separators, no dot-dot, no hidden files, nothing to interpret.
        let file: String
        do { file = try CredSpecName(name).fileName } catch { throw .credSpecNameInvalid(name) }
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw .credSpecNotFound(name: name, directory: path) }
        defer { close(directory) }
        let opened: ContainedFile
        do { opened = try ContainedPath.open(file, in: directory, directoryPath: path, flags: O_RDONLY | O_NONBLOCK) } catch {
            switch error {
            case .failed(_, _, ENOENT), .failed(_, _, ENOTDIR): throw .credSpecNotFound(name: name, directory: path)
            case let .escapes(_, link, target): throw .credSpecOutside(name: name, link: link, target: target, directory: path)
            default: throw .credSpecInvalid(.unreadable(path: path + "/" + file, reason: "\(error)"), source: file)
            }
        }
        let fd = opened.descriptor
        defer { close(fd) }
        // A directory, a FIFO or a device named like a CredSpec is none.
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { throw .credSpecNameInvalid(name) }
        let version = FileVersion(status)
        if let cached = parsed.spec(file, version: version) { return cached }
        do {
            let spec = try CredentialSpec.read(descriptor: fd, path: opened.path)
            parsed.store(spec, file: file, version: version)
            return spec
        } catch {
            throw .credSpecInvalid(error, source: file)
        }
    }

    /// The names of the CredSpecs in the directory (file names without `.json`), sorted.
    package func names() -> [String] {
        credSpecNames().map(\.stem).sorted()
    }

    /// The CredSpecs' files in the directory, in no particular order.
    package func credSpecNames() -> [CredSpecName] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.compactMap(CredSpecName.init(fileName:))
    }
}

/// What identifies one version of a file without reading it.
struct FileVersion: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: timespec

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = status.st_mtim
    }

    static func == (lhs: FileVersion, rhs: FileVersion) -> Bool {
        lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size
            && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
    }
}

private final class ParsedCredSpecs: Sendable {
    private let entries = Mutex<[String: (version: FileVersion, spec: CredentialSpec)]>([:])

    func spec(_ file: String, version: FileVersion) -> CredentialSpec? {
        entries.withLock { $0[file].flatMap { $0.version == version ? $0.spec : nil } }
    }

    func store(_ spec: CredentialSpec, file: String, version: FileVersion) {
        entries.withLock { $0[file] = (version, spec) }
    }
}

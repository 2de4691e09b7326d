import DurableFiles
import Foundation

/// The lease records in the state directory: one JSON file per lease, written atomically and
/// synced before the lease is acknowledged, so a `kill -9` loses no acknowledged lease.
public struct LeaseStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    private func path(_ id: LeaseID) -> String { "\(directory)/\(id).json" }

    /// Creates the directory (0700) if needed and removes temporary files a crash left.
    public func open() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            unlink(directory + "/" + name)
        }
    }

    public func save(_ record: LeaseRecord) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(record)), to: path(record.id), ownership: FileOwnership(mode: 0o600))
    }

    public func remove(_ id: LeaseID) throws {
        guard unlink(path(id)) == 0 || errno == ENOENT else { throw FileSystemError("remove", path: path(id), errno: errno) }
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// Every readable record, and a sentence for each file that is not one.
    public func loadAll() -> (records: [LeaseRecord], problems: [String]) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [LeaseRecord] = [], problems: [String] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let file = directory + "/" + name
            do {
                let record = try decoder.decode(LeaseRecord.self, from: try Data(contentsOf: URL(fileURLWithPath: file)))
                guard "\(record.id).json" == name else { throw CocoaError(.fileReadCorruptFile) }
                records.append(record)
            } catch {
                problems.append("\(file) is not a lease record (\(error)); it was left in place and ignored.")
            }
        }
        return (records, problems)
    }
}

import Configuration
import DurableFiles
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// When each named CredSpec last had a lease on this node, kept in the state directory
/// (`recent-credspecs`, names and times only) so that a restart prefetches what the node used
/// lately and nothing else. Written when a name is new or its time is older than `resolution`:
/// a lease does not cost a disk write each.
package struct RecentCredSpecs: Sendable, Equatable {
    /// Name (as the lease named it, without `.json`) → the last lease's time.
    package private(set) var lastUsed: [String: Date]
    /// How stale a recorded time may get before a new lease records it again.
    package var resolution: TimeInterval

    package static let fileName = "recent-credspecs"

    package init(lastUsed: [String: Date] = [:], resolution: TimeInterval = 3600) {
        self.lastUsed = lastUsed
        self.resolution = resolution
    }

    /// A lease of `name` at `time`: answers whether the file should be written again.
    package mutating func use(_ name: String, at time: Date) -> Bool {
        let name = Self.key(name)
        if let recorded = lastUsed[name], time.timeIntervalSince(recorded) < resolution { return false }
        lastUsed[name] = time
        return true
    }

    /// The names used within `period` before `time`, sorted; older ones are forgotten.
    package mutating func used(within period: TimeInterval, before time: Date) -> [String] {
        lastUsed = lastUsed.filter { time.timeIntervalSince($0.value) <= period }
        return lastUsed.keys.sorted()
    }

    /// Names compare as `[credspec "NAME"]` sections do: `WebApp01` and `WebApp01.json` are one.
    static func key(_ name: String) -> String {
        ServiceConfiguration.CredSpecAccess.plainName(name)
    }

    // MARK: - File

    /// The file's content: a JSON object of names and ISO 8601 times.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(lastUsed))
    }

    /// Reads `directory`'s file; a missing or damaged one is an empty record (it only guides prefetch).
    package static func read(directory: String) -> RecentCredSpecs {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return RecentCredSpecs() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return RecentCredSpecs(lastUsed: (try? decoder.decode([String: Date].self, from: data)) ?? [:])
    }

    /// Writes it into `directory` atomically, readable by root only.
    func write(directory: String) throws {
        try AtomicFile.write(try encoded(), to: directory + "/" + Self.fileName, ownership: .privateToCaller, durability: .synced)
    }
}

import Configuration
import DurableFiles
import FoundationEssentials
import JSON
import Glibc

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
        let members = lastUsed.sorted { $0.key < $1.key }.map { (key: $0.key, value: JSONValue.string($0.value.formatted(.iso8601))) }
        return JSONValue.object(JSONObject(members)).compactUTF8
    }

    /// Reads `directory`'s file; a missing or damaged one is an empty record (it only guides prefetch).
    package static func read(directory: String) -> RecentCredSpecs {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName),
            case let .object(object)? = try? JSONValue(parsing: data)
        else { return RecentCredSpecs() }
        var lastUsed: [String: Date] = [:]
        for member in object.members {
            // One bad time makes the whole record void, as before: it only guides prefetch.
            guard let text = member.value.text, let time = try? Date(text, strategy: .iso8601) else { return RecentCredSpecs() }
            lastUsed[member.key] = time
        }
        return RecentCredSpecs(lastUsed: lastUsed)
    }

    /// Writes it into `directory` atomically, readable by root only.
    func write(directory: String) throws {
        try AtomicFile.write(try encoded(), to: directory + "/" + Self.fileName, ownership: .privateToCaller, durability: .synced)
    }
}

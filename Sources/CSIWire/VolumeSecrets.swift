import ProtobufWire
import SecretMemory

/// A request's `secrets` map (the CSI specification's `csi_secret` fields): the names readable,
/// the values kept in wiped storage (`SecretBytes`), never in a String. Its description and its
/// mirror show how many there are, never a value, so no log line or `dump` can print one. Values
/// are taken as the bytes that came (not checked for UTF-8, so that no String is made of them).
package struct VolumeSecrets: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private var values: [String: SecretBytes] = [:]

    package init() {}

    /// The secrets' names, sorted.
    package var names: [String] { values.keys.sorted() }
    package var isEmpty: Bool { values.isEmpty }
    package var count: Int { values.count }

    package subscript(name: String) -> SecretBytes? { values[name] }

    /// Reads one entry of the map (key = 1, value = 2); a name seen again, the last wins.
    mutating func add(_ entry: ProtobufField) throws(ProtobufError) {
        var reader = try entry.message()
        var name = ""
        var value: ArraySlice<UInt8> = []
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): name = try field.string()
            case (2, .lengthDelimited): value = try field.bytes()
            default: break
            }
        }
        values[name] = SecretBytes(Array(value))
    }

    package var description: String { "<\(values.count) secrets redacted>" }
    package var debugDescription: String { "VolumeSecrets(\(description))" }
    package var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}

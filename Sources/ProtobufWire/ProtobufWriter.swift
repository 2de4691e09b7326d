/// Writes the fields of one message (protobuf's encoding guide). Scalars follow proto3's implicit
/// presence: a default value (0, false, "", no bytes) is left out, as protobuf's own writers do.
/// A message field is always written, empty or not: its presence is its meaning (a oneof member,
/// `google.protobuf.BoolValue`).
package struct ProtobufWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    /// `string`; "" is left out.
    package mutating func write(_ number: Int, string: String) {
        guard !string.isEmpty else { return }
        writeLengthDelimited(number, string.utf8)
    }

    /// `bytes`; no bytes is left out.
    package mutating func write(_ number: Int, bytes value: some Collection<UInt8>) {
        guard !value.isEmpty else { return }
        writeLengthDelimited(number, value)
    }

    /// `repeated string`: each element a field of its own, "" included.
    package mutating func write(_ number: Int, strings: [String]) {
        for string in strings { writeLengthDelimited(number, string.utf8) }
    }

    /// `bool`; false is left out.
    package mutating func write(_ number: Int, bool: Bool) {
        guard bool else { return }
        writeKey(number, .varint)
        writeVarint(1)
    }

    /// `uint64`, `uint32`; 0 is left out.
    package mutating func write(_ number: Int, uint64: UInt64) {
        guard uint64 != 0 else { return }
        writeKey(number, .varint)
        writeVarint(uint64)
    }

    /// `int64`; 0 is left out, a negative value takes 10 bytes (two's complement).
    package mutating func write(_ number: Int, int64: Int64) {
        write(number, uint64: UInt64(bitPattern: int64))
    }

    /// `int32` and enums; 0 is left out, a negative value is sign-extended to 64 bits (10 bytes),
    /// as protobuf requires.
    package mutating func write(_ number: Int, int32: Int32) {
        write(number, uint64: UInt64(bitPattern: Int64(int32)))
    }

    /// `fixed64`, `sfixed64`, `double` (by bit pattern); 0 is left out.
    package mutating func write(_ number: Int, fixed64: UInt64) {
        guard fixed64 != 0 else { return }
        writeKey(number, .fixed64)
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: fixed64 >> (8 * UInt64(index)))) }
    }

    /// `fixed32`, `sfixed32`, `float` (by bit pattern); 0 is left out.
    package mutating func write(_ number: Int, fixed32: UInt32) {
        guard fixed32 != 0 else { return }
        writeKey(number, .fixed32)
        for index in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: fixed32 >> (8 * UInt32(index)))) }
    }

    /// A nested message, written by `body`; always written, even empty.
    package mutating func write(_ number: Int, message body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        writeLengthDelimited(number, nested.bytes)
    }

    /// A nested message; always written, even empty.
    package mutating func write(_ number: Int, message: some ProtobufEncodable) {
        write(number, message: message.encode(to:))
    }

    /// `repeated` messages: each element a field of its own.
    package mutating func write(_ number: Int, messages: [some ProtobufEncodable]) {
        for message in messages { write(number, message: message) }
    }

    /// `map<string, string>`: one entry message per pair (key = 1, value = 2, both written, as
    /// protobuf's C++ writer does), in the order of the keys, so that the bytes are deterministic.
    package mutating func write(_ number: Int, map: [String: String]) {
        for key in map.keys.sorted() {
            write(number) { entry in
                entry.writeLengthDelimited(1, key.utf8)
                entry.writeLengthDelimited(2, map[key]!.utf8)
            }
        }
    }

    /// A field's key: its number and wire type.
    package mutating func writeKey(_ number: Int, _ type: WireType) {
        precondition(number >= 1 && number <= maximumFieldNumber, "protobuf field numbers are 1 to 2^29 - 1, not \(number)")
        writeVarint(UInt64(number) << 3 | UInt64(type.rawValue))
    }

    /// A base-128 varint, low group first.
    package mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A length-delimited field whatever its contents (an empty one included).
    package mutating func writeLengthDelimited(_ number: Int, _ value: some Collection<UInt8>) {
        writeKey(number, .lengthDelimited)
        writeVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
}

/// A message the server writes.
package protocol ProtobufEncodable: Sendable {
    func encode(to writer: inout ProtobufWriter)
}

extension ProtobufEncodable {
    /// The message's bytes.
    package func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        encode(to: &writer)
        return writer.bytes
    }
}

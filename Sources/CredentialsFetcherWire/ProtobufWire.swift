/// The protobuf wire format, as far as credentials-fetcher's messages use it: every field is a
/// string (length-delimited, wire type 2); other wire types are read past, as proto3 readers do
/// with fields they do not know.
enum ProtobufWire {
    static let varint: UInt64 = 0
    static let fixed64: UInt64 = 1
    static let lengthDelimited: UInt64 = 2
    static let fixed32: UInt64 = 5
}

/// Why a message could not be read; never holds a field's bytes (one may be a password).
package struct ProtobufError: Error, Equatable, CustomStringConvertible {
    package let reason: String
    package var description: String { reason }
}

/// Reads the fields of one message, in order.
struct ProtobufReader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
    private let bytes: Bytes
    private var position: Int

    init(_ bytes: Bytes) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next length-delimited field, as its number and the range of its bytes; other fields are
    /// skipped. Nil at the end of the message.
    mutating func nextField() throws(ProtobufError) -> (number: UInt64, value: Range<Int>)? {
        while position < bytes.endIndex {
            let key = try readVarint()
            let number = key >> 3
            guard number > 0 else { throw ProtobufError(reason: "field number 0") }
            switch key & 7 {
            case ProtobufWire.lengthDelimited:
                let length = try readVarint()
                guard length <= UInt64(bytes.endIndex - position) else { throw ProtobufError(reason: "field \(number) runs past the message's end") }
                let start = position
                position += Int(length)
                return (number, start..<position)
            case ProtobufWire.varint: _ = try readVarint()
            case ProtobufWire.fixed64: try skip(8)
            case ProtobufWire.fixed32: try skip(4)
            default: throw ProtobufError(reason: "field \(number) has wire type \(key & 7), which proto3 does not use")
            }
        }
        return nil
    }

    /// The UTF-8 text of a field (proto3 strings must be valid UTF-8).
    func string(_ range: Range<Int>) throws(ProtobufError) -> String {
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw ProtobufError(reason: "a string field is not UTF-8") }
        return text
    }

    func slice(_ range: Range<Int>) -> Bytes.SubSequence { bytes[range] }

    private mutating func skip(_ count: Int) throws(ProtobufError) {
        guard bytes.endIndex - position >= count else { throw ProtobufError(reason: "a fixed-size field runs past the message's end") }
        position += count
    }

    private mutating func readVarint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), to: 64, by: 7) {
            guard position < bytes.endIndex else { throw ProtobufError(reason: "the message ends inside a varint") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
        }
        throw ProtobufError(reason: "a varint longer than 10 bytes")
    }
}

/// Writes the fields of one message; empty strings are left out, as proto3 does.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(_ number: UInt64, _ text: String) {
        guard !text.isEmpty else { return }
        writeVarint(number << 3 | ProtobufWire.lengthDelimited)
        writeVarint(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    mutating func write(_ number: UInt64, _ texts: [String]) {
        // A repeated string keeps its empty elements: each is a field of its own.
        for text in texts {
            writeVarint(number << 3 | ProtobufWire.lengthDelimited)
            writeVarint(UInt64(text.utf8.count))
            bytes.append(contentsOf: text.utf8)
        }
    }

    private mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

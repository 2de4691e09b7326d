/// Reads the fields of one message in order (protobuf's encoding guide), within strict bounds:
/// every length and fixed-size value is checked against what is left of its message, varints
/// stop at 10 bytes, and a fault is a `ProtobufError` naming the field and the byte, never a trap.
/// A nested message is read by a reader of its own (`ProtobufField.message()`), over the same
/// bytes, so that offsets in errors count from the outermost message.
package struct ProtobufReader: Sendable {
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// The outermost message's first index: offsets count from it.
    private let origin: Int
    /// The numbers of the fields this message is nested in, outermost first.
    private let enclosing: [Int]

    package init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    package init(_ bytes: ArraySlice<UInt8>) {
        self.init(bytes, origin: bytes.startIndex, enclosing: [])
    }

    fileprivate init(_ bytes: ArraySlice<UInt8>, origin: Int, enclosing: [Int]) {
        self.bytes = bytes
        position = bytes.startIndex
        self.origin = origin
        self.enclosing = enclosing
    }

    /// Whether every field has been read.
    package var isAtEnd: Bool { position >= bytes.endIndex }

    /// The next field, or nil at the end of the message. Fields of every proto3 wire type are
    /// returned; a decoder ignores those it does not know (and known ones of another wire type,
    /// as protobuf's own readers do).
    package mutating func next() throws(ProtobufError) -> ProtobufField? {
        guard position < bytes.endIndex else { return nil }
        let start = position
        let key = try varint(field: nil, start: start)
        guard key >> 3 >= 1, key >> 3 <= UInt64(maximumFieldNumber) else {
            throw ProtobufError(.invalidFieldNumber(key >> 3), fieldPath: enclosing, offset: start - origin, inKey: true)
        }
        let number = Int(key >> 3)
        let context = ProtobufField.Context(origin: origin, enclosing: enclosing, offset: start - origin)
        switch UInt8(key & 7) {
        case WireType.varint.rawValue:
            return ProtobufField(number: number, value: .varint(try varint(field: number, start: start)), context: context)
        case WireType.fixed64.rawValue:
            let value = try fixed(8, field: number, start: start)
            return ProtobufField(number: number, value: .fixed64(value), context: context)
        case WireType.fixed32.rawValue:
            let value = try fixed(4, field: number, start: start)
            return ProtobufField(number: number, value: .fixed32(UInt32(value)), context: context)
        case WireType.lengthDelimited.rawValue:
            let length = try varint(field: number, start: start)
            let remaining = bytes.endIndex - position
            guard length <= UInt64(remaining) else {
                throw ProtobufError(.lengthPastEnd(length: length, remaining: remaining), fieldPath: enclosing + [number], offset: start - origin)
            }
            let value = bytes[position..<position + Int(length)]
            position += Int(length)
            return ProtobufField(number: number, value: .lengthDelimited(value), context: context)
        case let other:
            throw ProtobufError(.unsupportedWireType(other), fieldPath: enclosing + [number], offset: start - origin)
        }
    }

    /// A little-endian value of `size` bytes.
    private mutating func fixed(_ size: Int, field: Int, start: Int) throws(ProtobufError) -> UInt64 {
        let remaining = bytes.endIndex - position
        guard remaining >= size else {
            throw ProtobufError(.truncatedFixed(size: size, remaining: remaining), fieldPath: enclosing + [field], offset: start - origin)
        }
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += size
        return value
    }

    /// A varint of the field numbered `field` (nil: a key) that starts at `start`.
    private mutating func varint(field: Int?, start: Int) throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            guard position < bytes.endIndex else { throw failure(.truncatedVarint, field: field, start: start) }
            let byte = bytes[position]
            position += 1
            // The tenth byte holds the 64th bit only.
            if index == 9 && byte > 1 { throw failure(.overlongVarint, field: field, start: start) }
            value |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return value }
        }
        throw failure(.overlongVarint, field: field, start: start)
    }

    private func failure(_ problem: ProtobufError.Problem, field: Int?, start: Int) -> ProtobufError {
        ProtobufError(problem, fieldPath: enclosing + (field.map { [$0] } ?? []), offset: start - origin, inKey: field == nil)
    }

    /// Every varint of `bytes` (a packed repeated field's contents), with errors placed as the field's.
    fileprivate static func varints(in bytes: ArraySlice<UInt8>, number: Int, context: ProtobufField.Context) throws(ProtobufError) -> [UInt64] {
        var reader = ProtobufReader(bytes, origin: context.origin, enclosing: context.enclosing)
        var values: [UInt64] = []
        while !reader.isAtEnd { values.append(try reader.varint(field: number, start: reader.position)) }
        return values
    }

    fileprivate static func nested(_ bytes: ArraySlice<UInt8>, number: Int, context: ProtobufField.Context) -> ProtobufReader {
        ProtobufReader(bytes, origin: context.origin, enclosing: context.enclosing + [number])
    }
}

/// One field of a message as it came: its number and its value by wire type. The accessors
/// read the value as a proto3 type; asked for another wire type than the field has, they throw.
package struct ProtobufField: Sendable {
    package enum Value: Sendable, Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case lengthDelimited(ArraySlice<UInt8>)
    }

    /// Where the field is, for errors about its value.
    fileprivate struct Context: Sendable {
        let origin: Int
        /// The numbers of the fields the field's message is nested in (the field's own is not here:
        /// the path is made only for an error or a nested reader).
        let enclosing: [Int]
        let offset: Int
    }

    package let number: Int
    package let value: Value
    fileprivate let context: Context

    package var wireType: WireType {
        switch value {
        case .varint: .varint
        case .fixed64: .fixed64
        case .fixed32: .fixed32
        case .lengthDelimited: .lengthDelimited
        }
    }

    /// Where the field starts, from the first byte of the outermost message.
    package var offset: Int { context.offset }

    private func failure(_ problem: ProtobufError.Problem) -> ProtobufError {
        ProtobufError(problem, fieldPath: context.enclosing + [number], offset: context.offset)
    }

    private func varintValue() throws(ProtobufError) -> UInt64 {
        guard case let .varint(value) = value else { throw failure(.wrongWireType(expected: .varint, found: wireType)) }
        return value
    }

    /// `bytes`, or the raw bytes of any length-delimited field.
    package func bytes() throws(ProtobufError) -> ArraySlice<UInt8> {
        guard case let .lengthDelimited(bytes) = value else { throw failure(.wrongWireType(expected: .lengthDelimited, found: wireType)) }
        return bytes
    }

    /// `string`: UTF-8, checked.
    package func string() throws(ProtobufError) -> String {
        guard let text = String(validating: try bytes(), as: UTF8.self) else { throw failure(.notUTF8) }
        return text
    }

    /// A nested message's fields.
    package func message() throws(ProtobufError) -> ProtobufReader {
        ProtobufReader.nested(try bytes(), number: number, context: context)
    }

    /// `bool`: any varint but 0 is true, as protobuf's readers take it.
    package func bool() throws(ProtobufError) -> Bool { try varintValue() != 0 }

    /// `uint64`.
    package func uint64() throws(ProtobufError) -> UInt64 { try varintValue() }

    /// `int64` (two's complement in 10 bytes when negative).
    package func int64() throws(ProtobufError) -> Int64 { Int64(bitPattern: try varintValue()) }

    /// `int32` and enums: the low 32 bits, as protobuf's readers truncate.
    package func int32() throws(ProtobufError) -> Int32 { Int32(truncatingIfNeeded: try varintValue()) }

    /// `uint32`: the low 32 bits.
    package func uint32() throws(ProtobufError) -> UInt32 { UInt32(truncatingIfNeeded: try varintValue()) }

    /// `fixed64`, `sfixed64` (by bit pattern) and `double` (`Double(bitPattern:)`).
    package func fixed64() throws(ProtobufError) -> UInt64 {
        guard case let .fixed64(value) = value else { throw failure(.wrongWireType(expected: .fixed64, found: wireType)) }
        return value
    }

    /// `fixed32`, `sfixed32` (by bit pattern) and `float` (`Float(bitPattern:)`).
    package func fixed32() throws(ProtobufError) -> UInt32 {
        guard case let .fixed32(value) = value else { throw failure(.wrongWireType(expected: .fixed32, found: wireType)) }
        return value
    }

    /// The elements of a packed repeated varint field (proto3's default for repeated scalars),
    /// or the one element of an unpacked one: readers must accept both.
    package func varints() throws(ProtobufError) -> [UInt64] {
        switch value {
        case let .varint(value): return [value]
        case let .lengthDelimited(bytes): return try ProtobufReader.varints(in: bytes, number: number, context: context)
        default: throw failure(.wrongWireType(expected: .lengthDelimited, found: wireType))
        }
    }

    /// One entry of a `map<string, string>` (a message of key = 1 and value = 2, either of which
    /// may be left out for ""; unknown fields skipped, a repeated one the last wins).
    package func stringMapEntry() throws(ProtobufError) -> (key: String, value: String) {
        var entry = try message()
        var key = ""
        var value = ""
        while let field = try entry.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): key = try field.string()
            case (2, .lengthDelimited): value = try field.string()
            default: break
            }
        }
        return (key, value)
    }

    /// Reads a nested message into `message`, merged into what an earlier occurrence of the same
    /// field read (protobuf's rule for a message field seen twice).
    package func merge<Message: ProtobufDecodable>(into message: inout Message?) throws(ProtobufError) {
        var reader = try self.message()
        var merged = message ?? Message()
        try merged.merge(from: &reader)
        message = merged
    }
}

/// A message the server reads: its fields merged from a reader, as protobuf merges a message
/// that comes in parts (a field seen again replaces a scalar, appends to a repeated field,
/// merges a message).
package protocol ProtobufDecodable: Sendable {
    init()
    mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError)
}

extension ProtobufDecodable {
    /// The message of `bytes`.
    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
        self.init()
        var reader = ProtobufReader(bytes)
        try merge(from: &reader)
    }
}

import ProtobufWire
import XCTest

/// The reader: what the writer wrote reads back, unknown fields are read past, and every way a
/// message can be malformed is an error naming the field and the byte, never a trap.
final class ProtobufReaderTests: XCTestCase {
    private func fields(_ bytes: [UInt8]) throws -> [ProtobufField] {
        var reader = ProtobufReader(bytes)
        var fields: [ProtobufField] = []
        while let field = try reader.next() { fields.append(field) }
        return fields
    }

    private func failure(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ProtobufError? {
        do {
            _ = try fields(bytes)
            XCTFail("\(bytes) read without an error", file: file, line: line)
            return nil
        } catch {
            return error as? ProtobufError
        }
    }

    // MARK: - Round trips

    func testEveryScalarTypeReadsBackWhatWasWritten() throws {
        var writer = ProtobufWriter()
        writer.write(1, string: "ä€😀")
        writer.write(2, bytes: [0, 0xFF, 0xC3])
        writer.write(3, bool: true)
        writer.write(4, uint64: .max)
        writer.write(5, int64: .min)
        writer.write(6, int32: -2)
        writer.write(7, fixed64: 0xDEAD_BEEF_0102_0304)
        writer.write(8, fixed32: 0xCAFE_F00D)
        writer.write(maximumFieldNumber, uint64: 7)
        let read = try fields(writer.bytes)
        XCTAssertEqual(read.map(\.number), [1, 2, 3, 4, 5, 6, 7, 8, maximumFieldNumber])
        XCTAssertEqual(try read[0].string(), "ä€😀")
        XCTAssertEqual(Array(try read[1].bytes()), [0, 0xFF, 0xC3])
        XCTAssertTrue(try read[2].bool())
        XCTAssertEqual(try read[3].uint64(), .max)
        XCTAssertEqual(try read[4].int64(), .min)
        XCTAssertEqual(try read[5].int32(), -2)
        XCTAssertEqual(try read[6].fixed64(), 0xDEAD_BEEF_0102_0304)
        XCTAssertEqual(try read[7].fixed32(), 0xCAFE_F00D)
        XCTAssertEqual(try read[8].uint64(), 7)
        XCTAssertEqual(read.map(\.wireType), [.lengthDelimited, .lengthDelimited, .varint, .varint, .varint, .varint, .fixed64, .fixed32, .varint])
    }

    /// Nested messages two deep, repeated fields in order, empty ones included, and a map.
    func testNestedRepeatedAndMapFieldsReadBack() throws {
        var writer = ProtobufWriter()
        writer.write(1, strings: ["a", "", "c"])
        writer.write(2) { outer in
            outer.write(1, string: "outer")
            outer.write(2) { $0.write(1, int32: 6) }
        }
        writer.write(3, map: ["k1": "v1", "": "empty key", "k2": ""])
        var strings: [String] = []
        var map: [String: String] = [:]
        var innerValue: Int32?
        var outerName = ""
        var reader = ProtobufReader(writer.bytes)
        while let field = try reader.next() {
            switch field.number {
            case 1: strings.append(try field.string())
            case 2:
                var outer = try field.message()
                while let inner = try outer.next() {
                    if inner.number == 1 { outerName = try inner.string() }
                    if inner.number == 2 {
                        var innermost = try inner.message()
                        innerValue = try innermost.next()?.int32()
                        XCTAssertNil(try innermost.next())
                    }
                }
            case 3:
                let entry = try field.stringMapEntry()
                map[entry.key] = entry.value
            default: XCTFail("field \(field.number)")
            }
        }
        XCTAssertEqual(strings, ["a", "", "c"])
        XCTAssertEqual(outerName, "outer")
        XCTAssertEqual(innerValue, 6)
        XCTAssertEqual(map, ["k1": "v1", "": "empty key", "k2": ""])
    }

    /// A map entry may leave its key or value out (""), carry fields it does not know, and name a
    /// field twice (the last wins), as protobuf's readers take it.
    func testMapEntriesWithMissingUnknownAndRepeatedFields() throws {
        let entries: [([UInt8], String, String)] = [
            ([], "", ""),
            ([0x12, 1, 0x76], "", "v"),
            ([0x0A, 1, 0x6B], "k", ""),
            ([0x18, 5, 0x0A, 1, 0x6B, 0x25, 1, 2, 3, 4, 0x12, 1, 0x76], "k", "v"),
            ([0x0A, 1, 0x61, 0x0A, 1, 0x62, 0x12, 1, 0x31, 0x12, 1, 0x32], "b", "2"),
            // A key of another wire type is an unknown field, not the key.
            ([0x08, 1, 0x12, 1, 0x76], "", "v"),
        ]
        for (entry, key, value) in entries {
            let field = try XCTUnwrap(try fields([0x0A, UInt8(entry.count)] + entry).first)
            let read = try field.stringMapEntry()
            XCTAssertEqual(read.key, key, "\(entry)")
            XCTAssertEqual(read.value, value, "\(entry)")
        }
    }

    /// Repeated scalars come packed (proto3's default) or one per field; readers take both.
    func testPackedAndUnpackedRepeatedVarints() throws {
        let read = try fields([0x0A, 4, 0x01, 0x96, 0x01, 0x00, 0x08, 0x07])
        XCTAssertEqual(try read[0].varints(), [1, 150, 0])
        XCTAssertEqual(try read[1].varints(), [7])
        let truncated = try fields([0x0A, 2, 0x01, 0x96])
        XCTAssertThrowsError(try truncated[0].varints()) { error in
            XCTAssertEqual((error as? ProtobufError)?.problem, .truncatedVarint)
            XCTAssertEqual((error as? ProtobufError)?.fieldPath, [1])
        }
    }

    /// Fields of every wire type that a decoder does not know come out as fields and are read
    /// past; the reader's position stays right for the fields after them.
    func testUnknownFieldsOfEveryWireTypeAreReadPast() throws {
        let bytes: [UInt8] = [0x48, 0xAC, 0x02, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x62, 2, 0x68, 0x69, 0x0A, 1, 0x78]
        let read = try fields(bytes)
        XCTAssertEqual(read.map(\.number), [9, 10, 11, 12, 1])
        XCTAssertEqual(read.map(\.offset), [0, 3, 12, 17, 21])
        XCTAssertEqual(try read[4].string(), "x")
    }

    func testAnEmptyMessageHasNoFields() throws {
        XCTAssertTrue(try fields([]).isEmpty)
        XCTAssertTrue(ProtobufReader([]).isAtEnd)
    }

    /// A message read from a slice of a larger buffer counts offsets from the slice's start.
    func testOffsetsCountFromTheMessagesFirstByteInASlice() throws {
        let buffer: [UInt8] = [0xFF, 0xFF, 0x08, 0x01, 0x0A, 0x05]
        var reader = ProtobufReader(buffer[2...])
        XCTAssertEqual(try reader.next()?.offset, 0)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? ProtobufError)?.offset, 2)
        }
    }

    // MARK: - Malformed messages

    /// Every fault of the wire format: its problem, the field it is in, the byte where that field
    /// (or the unreadable key) starts.
    func testEveryMalformedMessageIsAnErrorNamingItsFieldAndOffset() {
        let ok: [UInt8] = [0x08, 0x01] // a good field first, so that offsets are not all 0
        let cases: [(String, [UInt8], ProtobufError.Problem, [Int], Int, Bool)] = [
            ("a key cut short", ok + [0x80], .truncatedVarint, [], 2, true),
            ("a key of 11 bytes", ok + [UInt8](repeating: 0x80, count: 10) + [0x01], .overlongVarint, [], 2, true),
            ("field number 0", ok + [0x02, 0x00], .invalidFieldNumber(0), [], 2, true),
            ("field number 2^29", ok + [0x80, 0x80, 0x80, 0x80, 0x10], .invalidFieldNumber(1 << 29), [], 2, true),
            ("start group", ok + [0x0B, 0x0C], .unsupportedWireType(3), [1], 2, false),
            ("end group", ok + [0x0C], .unsupportedWireType(4), [1], 2, false),
            ("wire type 6", ok + [0x0E], .unsupportedWireType(6), [1], 2, false),
            ("wire type 7", ok + [0x0F], .unsupportedWireType(7), [1], 2, false),
            ("a varint value cut short", ok + [0x10, 0x80], .truncatedVarint, [2], 2, false),
            ("a varint value of 11 bytes", ok + [0x10] + [UInt8](repeating: 0x80, count: 10) + [0x01], .overlongVarint, [2], 2, false),
            ("a varint's tenth byte above 1", ok + [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x02], .overlongVarint, [2], 2, false),
            ("a length cut short", ok + [0x1A, 0x80], .truncatedVarint, [3], 2, false),
            ("no length at all", ok + [0x1A], .truncatedVarint, [3], 2, false),
            ("a length past the end", ok + [0x1A, 0x05, 0x61], .lengthPastEnd(length: 5, remaining: 1), [3], 2, false),
            (
                "a length of 2^63", ok + [0x1A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
                .lengthPastEnd(length: 1 << 63, remaining: 0), [3], 2, false
            ),
            ("a length of 2^64 - 1", ok + [0x1A] + [UInt8](repeating: 0xFF, count: 9) + [0x01], .lengthPastEnd(length: .max, remaining: 0), [3], 2, false),
            ("a fixed64 cut short", ok + [0x21, 1, 2, 3], .truncatedFixed(size: 8, remaining: 3), [4], 2, false),
            ("a fixed64 with nothing", ok + [0x21], .truncatedFixed(size: 8, remaining: 0), [4], 2, false),
            ("a fixed32 cut short", ok + [0x2D, 1], .truncatedFixed(size: 4, remaining: 1), [5], 2, false),
        ]
        for (name, bytes, problem, path, offset, inKey) in cases {
            guard let error = failure(bytes) else { continue }
            XCTAssertEqual(error.problem, problem, name)
            XCTAssertEqual(error.fieldPath, path, name)
            XCTAssertEqual(error.offset, offset, name)
            XCTAssertEqual(error.inKey, inKey, name)
        }
    }

    /// A fault inside a nested message names the field path from the outermost message and the
    /// byte from the outermost message's start.
    func testAFaultInANestedMessageNamesItsPathAndOuterOffset() throws {
        // field 1 = 1; field 5 = { field 2 = "a" but its length says 5 }
        let bytes: [UInt8] = [0x08, 0x01, 0x2A, 0x03, 0x12, 0x05, 0x61]
        let outer = try fields(bytes)
        XCTAssertEqual(outer[1].offset, 2)
        var nested = try outer[1].message()
        XCTAssertThrowsError(try nested.next()) { error in
            let error = error as? ProtobufError
            XCTAssertEqual(error?.problem, .lengthPastEnd(length: 5, remaining: 1))
            XCTAssertEqual(error?.fieldPath, [5, 2])
            XCTAssertEqual(error?.offset, 4)
            XCTAssertEqual(error?.description, "field 5.2 at byte 4: its length, 5 bytes, runs past the end of its message (1 bytes left)")
        }
        // A nested key's fault names the field it is in.
        var broken = try fields([0x2A, 0x01, 0x80])[0].message()
        XCTAssertThrowsError(try broken.next()) { error in
            XCTAssertEqual((error as? ProtobufError)?.description, "a key in field 5 at byte 2: the message ends inside a varint")
        }
    }

    /// A string must be UTF-8; the error never shows the bytes (one may be a secret).
    func testAStringThatIsNotUTF8IsAnErrorWithoutItsBytes() throws {
        let field = try fields([0x08, 0x01, 0x3A, 0x07, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0xC3])[1]
        XCTAssertThrowsError(try field.string()) { error in
            let error = error as? ProtobufError
            XCTAssertEqual(error?.problem, .notUTF8)
            XCTAssertEqual(error?.fieldPath, [7])
            XCTAssertEqual(error?.offset, 2)
            XCTAssertFalse(error?.description.contains("secret") ?? true)
        }
        // The same bytes are fine as `bytes`.
        XCTAssertEqual(try field.bytes().count, 7)
    }

    /// Reading a field as another wire type than it has is an error, not a misread value.
    func testReadingAFieldAsAnotherWireTypeIsAnError() throws {
        let read = try fields([0x08, 0x01, 0x12, 0x00, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4])
        XCTAssertThrowsError(try read[0].string()) {
            XCTAssertEqual(($0 as? ProtobufError)?.problem, .wrongWireType(expected: .lengthDelimited, found: .varint))
        }
        XCTAssertThrowsError(try read[1].bool()) {
            XCTAssertEqual(($0 as? ProtobufError)?.problem, .wrongWireType(expected: .varint, found: .lengthDelimited))
        }
        XCTAssertThrowsError(try read[2].fixed32()) {
            XCTAssertEqual(($0 as? ProtobufError)?.problem, .wrongWireType(expected: .fixed32, found: .fixed64))
        }
        XCTAssertThrowsError(try read[3].fixed64()) {
            XCTAssertEqual(($0 as? ProtobufError)?.problem, .wrongWireType(expected: .fixed64, found: .fixed32))
        }
        XCTAssertThrowsError(try read[3].message())
        XCTAssertThrowsError(try read[0].stringMapEntry())
    }

    /// Every prefix of a good message and every single-byte change of it reads or fails with an
    /// error inside the message: no trap, no offset past the end.
    func testEveryTruncationAndByteChangeReadsOrFailsInsideTheMessage() {
        var writer = ProtobufWriter()
        writer.write(1, string: "volume")
        writer.write(2) { $0.write(2) { $0.write(3, string: "2000") } }
        writer.write(6, bool: true)
        writer.write(8, map: ["a": "b"])
        writer.write(9, fixed64: 1)
        writer.write(10, fixed32: 1)
        let good = writer.bytes
        func readDeep(_ reader: inout ProtobufReader) throws {
            while let field = try reader.next() {
                if field.wireType == .lengthDelimited {
                    var nested = try field.message()
                    // Strings are not messages: their faults are expected, only traps matter here.
                    try? readDeep(&nested)
                    _ = try? field.string()
                }
            }
        }
        var inputs = (0...good.count).map { Array(good.prefix($0)) }
        for index in good.indices {
            for value in [0x00, 0x01, 0x02, 0x07, 0x7F, 0x80, 0xFF] as [UInt8] {
                var changed = good
                changed[index] = value
                inputs.append(changed)
            }
        }
        for input in inputs {
            var reader = ProtobufReader(input)
            do { try readDeep(&reader) } catch let error as ProtobufError {
                XCTAssertTrue(error.offset >= 0 && error.offset < input.count, "\(input): \(error)")
            } catch {
                XCTFail("\(error)")
            }
        }
    }
}

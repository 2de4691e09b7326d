import ProtobufWire
import XCTest

/// The writer against the encoding guide's own examples and proto3's presence rules.
final class ProtobufWriterTests: XCTestCase {
    private func written(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var writer = ProtobufWriter()
        body(&writer)
        return writer.bytes
    }

    /// protobuf's encoding guide: `a = 150` is 08 96 01, `b = "testing"` 12 07 74 65 73 74 69 6e 67.
    func testTheEncodingGuidesExamplesAreWrittenByteForByte() {
        XCTAssertEqual(written { $0.write(1, uint64: 150) }, [0x08, 0x96, 0x01])
        XCTAssertEqual(written { $0.write(2, string: "testing") }, [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
        // A nested message: `c { a = 150 }` at field 3.
        XCTAssertEqual(written { $0.write(3) { $0.write(1, uint64: 150) } }, [0x1A, 0x03, 0x08, 0x96, 0x01])
    }

    /// A negative int32 (an enum's too) is sign-extended to ten bytes, as every protobuf writer does.
    func testNegativeIntegersTakeTenBytes() {
        let minusOne: [UInt8] = [0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x01]
        XCTAssertEqual(written { $0.write(1, int32: -1) }, minusOne)
        XCTAssertEqual(written { $0.write(1, int64: -1) }, minusOne)
        XCTAssertEqual(written { $0.write(1, uint64: .max) }, minusOne)
    }

    func testFixedWidthValuesAreLittleEndian() {
        XCTAssertEqual(written { $0.write(1, fixed64: 0x0102_0304_0506_0708) }, [0x09, 8, 7, 6, 5, 4, 3, 2, 1])
        XCTAssertEqual(written { $0.write(2, fixed32: 0x0102_0304) }, [0x15, 4, 3, 2, 1])
    }

    /// proto3's implicit presence: a scalar's default value is not written at all.
    func testDefaultScalarsAreLeftOut() {
        let bytes = written {
            $0.write(1, string: "")
            $0.write(2, bytes: [UInt8]())
            $0.write(3, bool: false)
            $0.write(4, uint64: 0)
            $0.write(5, int64: 0)
            $0.write(6, int32: 0)
            $0.write(7, fixed64: 0)
            $0.write(8, fixed32: 0)
            $0.write(9, strings: [])
            $0.write(10, map: [:])
        }
        XCTAssertEqual(bytes, [])
    }

    /// A message's presence is its meaning (a oneof member, a BoolValue that says false): an
    /// empty one is written; so is an empty element of a repeated string.
    func testEmptyMessagesAndEmptyRepeatedElementsAreWritten() {
        XCTAssertEqual(written { $0.write(1) { _ in } }, [0x0A, 0x00])
        XCTAssertEqual(written { $0.write(4, strings: ["a", "", "b"]) }, [0x22, 1, 0x61, 0x22, 0, 0x22, 1, 0x62])
        XCTAssertEqual(written { $0.write(1, bool: true) }, [0x08, 0x01])
    }

    /// A map is its entries in the order of their keys (the same bytes every time), each with its
    /// key and its value even when empty, as protobuf's C++ and Python writers do.
    func testAMapIsEntriesSortedByKeyEachWithKeyAndValue() {
        let bytes = written { $0.write(3, map: ["b": "", "a": "1"]) }
        XCTAssertEqual(bytes, [0x1A, 6, 0x0A, 1, 0x61, 0x12, 1, 0x31, 0x1A, 5, 0x0A, 1, 0x62, 0x12, 0])
    }

    /// Lengths of 128 bytes and more take a varint of two bytes and more.
    func testLongFieldsHaveMultiByteLengths() {
        let text = String(repeating: "x", count: 300)
        let bytes = written { $0.write(1, string: text) }
        XCTAssertEqual(Array(bytes.prefix(3)), [0x0A, 0xAC, 0x02])
        XCTAssertEqual(bytes.count, 303)
        XCTAssertEqual(written { $0.writeKey(maximumFieldNumber, .varint) }, [0xF8, 0xFF, 0xFF, 0xFF, 0x0F])
    }

    private struct Point: ProtobufEncodable {
        let x: UInt64
        func encode(to writer: inout ProtobufWriter) { writer.write(1, uint64: x) }
    }

    func testEncodableMessagesAndRepeatedMessages() {
        XCTAssertEqual(Point(x: 1).encoded(), [0x08, 0x01])
        XCTAssertEqual(written { $0.write(2, messages: [Point(x: 1), Point(x: 0)]) }, [0x12, 2, 0x08, 0x01, 0x12, 0])
        XCTAssertEqual(written { $0.write(2, message: Point(x: 0)) }, [0x12, 0])
    }
}

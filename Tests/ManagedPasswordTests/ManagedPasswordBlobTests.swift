import KerberosKeys
import XCTest

final class ManagedPasswordBlobTests: XCTestCase {
    let current = BlobFixture.randomPassword(seed: 1)
    let previous = BlobFixture.randomPassword(seed: 2)

    private func assertRejected(
        _ bytes: [UInt8],
        with expected: ManagedPasswordBlobError,
        file: StaticString = #filePath,
        line: UInt = #line
    ) {
        do {
            let blob = try ManagedPasswordBlob(decoding: bytes)
            XCTFail("decoded a malformed blob: \(blob)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        }
    }

    // MARK: Well-formed blobs

    func testCurrentPasswordOnlyBlobDecodes() throws {
        let bytes = BlobFixture(current: current).bytes
        XCTAssertEqual(bytes.count, 16 + 258 + 16, "Windows' unpadded layout")
        let blob = try ManagedPasswordBlob(decoding: bytes)
        XCTAssertEqual(blob.version, 1)
        XCTAssertEqual(array(blob.currentPassword.utf16LittleEndian), utf16LittleEndian(current))
        XCTAssertEqual(blob.currentPassword.utf16LittleEndian.count, 256, "the NUL terminator is not part of the password")
        XCTAssertNil(blob.previousPassword)
        XCTAssertEqual(blob.queryPasswordInterval, .seconds(30 * 86_400))
        XCTAssertEqual(blob.unchangedPasswordInterval, .seconds(30 * 86_400 - 300))
    }

    func testCurrentAndPreviousPasswordBlobDecodes() throws {
        let blob = try ManagedPasswordBlob(decoding: BlobFixture(current: current, previous: previous).bytes)
        XCTAssertEqual(blob.currentPassword, password(current))
        XCTAssertEqual(blob.previousPassword, password(previous))
        XCTAssertEqual(blob.queryPasswordInterval, .seconds(30 * 86_400))
    }

    func testAlignedIntervalsWithPaddingDecode() throws {
        let fixture = BlobFixture(current: [0x41, 0x42, 0x43], previous: [0x44], alignIntervals: true)
        XCTAssertEqual(fixture.offsets.query % 8, 0)
        let blob = try ManagedPasswordBlob(decoding: fixture.bytes)
        XCTAssertEqual(blob.currentPassword, password([0x41, 0x42, 0x43]))
        XCTAssertEqual(blob.previousPassword, password([0x44]))
    }

    func testIntervalsConvertExactlyFromHundredNanosecondUnits() throws {
        // 29.17:15:36.3736817, the shape DSInternals shows for a real DC.
        let ticks: Int64 = 25_677_363_736_817
        let fixture = BlobFixture(current: current, queryInterval: ticks, unchangedInterval: 0)
        let blob = try ManagedPasswordBlob(decoding: fixture.bytes)
        XCTAssertEqual(blob.queryPasswordInterval, .seconds(2_567_736) + .nanoseconds(373_681_700))
        XCTAssertEqual(blob.unchangedPasswordInterval, .zero)
    }

    func testLargestIntervalDecodesWithoutOverflow() throws {
        let fixture = BlobFixture(current: current, queryInterval: .max, unchangedInterval: .max)
        let blob = try ManagedPasswordBlob(decoding: fixture.bytes)
        XCTAssertEqual(blob.queryPasswordInterval.components.seconds, Int64.max / 10_000_000)
    }

    func testFieldsInAnyOrderDecodeByOffset() throws {
        // Intervals first, then the password: offsets, not order, say where fields are.
        var bytes = le(UInt16(1)) + le(UInt16(0)) + le(UInt32(16 + 16 + 6))
        bytes += le(UInt16(32)) + le(UInt16(0)) + le(UInt16(16)) + le(UInt16(24))
        bytes += le(UInt64(7)) + le(UInt64(5)) + utf16LittleEndian([0x61, 0x62, 0])
        let blob = try ManagedPasswordBlob(decoding: bytes)
        XCTAssertEqual(blob.currentPassword, password([0x61, 0x62]))
        XCTAssertEqual(blob.queryPasswordInterval, .nanoseconds(700))
        XCTAssertEqual(blob.unchangedPasswordInterval, .nanoseconds(500))
    }

    func testBlobInSecretBytesDecodesLikeAnArray() throws {
        let bytes = BlobFixture(current: current, previous: previous).bytes
        let blob = try ManagedPasswordBlob(decoding: SecretBytes(bytes))
        XCTAssertEqual(blob.currentPassword, password(current))
        XCTAssertEqual(blob.previousPassword, password(previous))
        XCTAssertThrowsError(try ManagedPasswordBlob(decoding: SecretBytes(Array(bytes.dropLast()))))
    }

    func testBlobDescriptionHidesPasswords() throws {
        let blob = try ManagedPasswordBlob(decoding: BlobFixture(current: [0x53, 0x45, 0x43, 0x52]).bytes)
        for text in [blob.description, String(reflecting: blob), "\(blob)", dumped(blob)] {
            XCTAssertFalse(text.contains("SECR"), text)
            XCTAssertFalse(text.lowercased().contains("53004500"), text) // the UTF-16LE bytes as hex
            XCTAssertTrue(text.contains("redacted"), text)
        }
    }

    // MARK: Malformed blobs, one error each

    func testBlobShorterThanHeaderIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        assertRejected([], with: .tooShortForHeader(byteCount: 0))
        assertRejected(Array(bytes.prefix(15)), with: .tooShortForHeader(byteCount: 15))
    }

    func testUnknownVersionIsRejected() {
        let bytes = BlobFixture(current: current).bytes.setting(uint16: 2, at: HeaderOffset.version)
        assertRejected(bytes, with: .unsupportedVersion(2))
    }

    func testTruncatedBlobIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        assertRejected(Array(bytes.dropLast()), with: .truncated(declaredLength: bytes.count, byteCount: bytes.count - 1))
        assertRejected(Array(bytes.prefix(16)), with: .truncated(declaredLength: bytes.count, byteCount: 16))
    }

    func testTrailingBytesAreRejected() {
        let bytes = BlobFixture(current: current).bytes
        assertRejected(bytes + [0], with: .trailingBytes(declaredLength: bytes.count, byteCount: bytes.count + 1))
    }

    func testZeroCurrentPasswordOffsetIsRejected() {
        let bytes = BlobFixture(current: current).bytes.setting(uint16: 0, at: HeaderOffset.current)
        assertRejected(bytes, with: .missingCurrentPassword)
    }

    func testOffsetInsideHeaderIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        assertRejected(bytes.setting(uint16: 8, at: HeaderOffset.query), with: .offsetInsideHeader(.queryPasswordInterval, offset: 8))
        assertRejected(bytes.setting(uint16: 15, at: HeaderOffset.current), with: .offsetInsideHeader(.currentPassword, offset: 15))
        assertRejected(bytes.setting(uint16: 4, at: HeaderOffset.previous), with: .offsetInsideHeader(.previousPassword, offset: 4))
    }

    func testOffsetPastEndIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        let count = bytes.count
        assertRejected(
            bytes.setting(uint16: UInt16(count), at: HeaderOffset.previous),
            with: .offsetPastEnd(.previousPassword, offset: count, byteCount: count))
        assertRejected(
            bytes.setting(uint16: 0xFFFF, at: HeaderOffset.current),
            with: .offsetPastEnd(.currentPassword, offset: 0xFFFF, byteCount: count))
    }

    func testIntervalRunningPastEndIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        let count = bytes.count
        assertRejected(
            bytes.setting(uint16: UInt16(count - 4), at: HeaderOffset.unchanged),
            with: .intervalPastEnd(.unchangedPasswordInterval, offset: count - 4, byteCount: count))
    }

    func testTwoPasswordsAtOneOffsetAreRejected() {
        let bytes = BlobFixture(current: current, previous: previous).bytes.setting(uint16: 16, at: HeaderOffset.previous)
        assertRejected(bytes, with: .fieldsOverlap(first: .currentPassword, firstOffset: 16, second: .previousPassword, secondOffset: 16))
    }

    func testOverlappingIntervalsAreRejected() {
        let bytes = BlobFixture(current: current).bytes
        let query = bytes.uint16(at: HeaderOffset.query)
        assertRejected(
            bytes.setting(uint16: UInt16(query), at: HeaderOffset.unchanged),
            with: .fieldsOverlap(first: .queryPasswordInterval, firstOffset: query, second: .unchangedPasswordInterval, secondOffset: query))
        assertRejected(
            bytes.setting(uint16: UInt16(query + 4), at: HeaderOffset.unchanged),
            with: .fieldsOverlap(first: .queryPasswordInterval, firstOffset: query, second: .unchangedPasswordInterval, secondOffset: query + 4))
    }

    func testIntervalRunningIntoAPasswordIsRejected() {
        let bytes = BlobFixture(current: current, previous: previous).bytes
        let previousOffset = bytes.uint16(at: HeaderOffset.previous)
        assertRejected(
            bytes.setting(uint16: UInt16(previousOffset - 4), at: HeaderOffset.query),
            with: .fieldsOverlap(first: .queryPasswordInterval, firstOffset: previousOffset - 4, second: .previousPassword, secondOffset: previousOffset))
    }

    func testPasswordRunningIntoTheNextPasswordIsRejected() {
        let bytes = BlobFixture(current: current, previous: previous).bytes.setting(uint16: 116, at: HeaderOffset.previous)
        assertRejected(bytes, with: .missingTerminator(.currentPassword, offset: 16, regionEnd: 116))
    }

    func testOddLengthPasswordIsRejected() {
        let bytes = BlobFixture(current: current).bytes
        let query = bytes.uint16(at: HeaderOffset.query)
        assertRejected(
            bytes.setting(uint16: UInt16(query - 1), at: HeaderOffset.query),
            with: .oddPasswordLength(.currentPassword, offset: 16, regionLength: query - 1 - 16))
    }

    func testPasswordWithoutTerminatorIsRejected() {
        var bytes = BlobFixture(current: current).bytes
        let query = bytes.uint16(at: HeaderOffset.query)
        bytes[query - 2] = 0x41
        assertRejected(bytes, with: .missingTerminator(.currentPassword, offset: 16, regionEnd: query))
    }

    func testEmptyPasswordIsRejected() {
        assertRejected(BlobFixture(current: []).bytes, with: .emptyPassword(.currentPassword, offset: 16))
        let bytes = BlobFixture(current: current, previous: []).bytes
        assertRejected(bytes, with: .emptyPassword(.previousPassword, offset: bytes.uint16(at: HeaderOffset.previous)))
    }

    func testNegativeIntervalIsRejected() {
        assertRejected(
            BlobFixture(current: current, queryInterval: -1).bytes,
            with: .negativeInterval(.queryPasswordInterval, hundredNanoseconds: -1))
        assertRejected(
            BlobFixture(current: current, unchangedInterval: .min).bytes,
            with: .negativeInterval(.unchangedPasswordInterval, hundredNanoseconds: .min))
    }

    func testErrorDescriptionsNameTheDefectAndItsFacts() {
        let truncated = ManagedPasswordBlobError.truncated(declaredLength: 290, byteCount: 289)
        XCTAssertTrue(truncated.description.contains("truncated"))
        XCTAssertTrue(truncated.description.contains("290") && truncated.description.contains("289"))
        let overlap = ManagedPasswordBlobError.fieldsOverlap(
            first: .queryPasswordInterval, firstOffset: 274, second: .unchangedPasswordInterval, secondOffset: 278)
        XCTAssertTrue(overlap.description.contains("QueryPasswordInterval at offset 274"), overlap.description)
        XCTAssertTrue(overlap.description.contains("UnchangedPasswordInterval at offset 278"), overlap.description)
        XCTAssertTrue(ManagedPasswordBlobError.offsetInsideHeader(.currentPassword, offset: 8).description.contains("CurrentPasswordOffset 8"))
    }
}

func dumped<T>(_ value: T) -> String {
    var output = ""
    dump(value, to: &output)
    return output
}

import KerberosKeys
import XCTest

final class SecretBytesTests: XCTestCase {
    // "SECRETPW": its bytes are easy to spot as text, hex or decimal.
    let secret = SecretBytes(Array("SECRETPW".utf8))

    private func assertHidden(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for leak in ["SECRET", "53454352", "83", "0x53", "69, 67"] {
            XCTAssertFalse(text.contains(leak), "\(text) contains \(leak)", file: file, line: line)
        }
    }

    func testDescriptionsNeverContainTheBytes() {
        XCTAssertEqual(secret.description, "<redacted 8 bytes>")
        for text in [secret.description, secret.debugDescription, "\(secret)", String(reflecting: secret), dumped(secret), "\([secret])"] {
            assertHidden(text)
            XCTAssertTrue(text.contains("redacted"), text)
        }
    }

    func testMirrorHasNoChildren() {
        XCTAssertTrue(Mirror(reflecting: secret).children.isEmpty)
        XCTAssertTrue(Mirror(reflecting: ManagedPassword(utf16LittleEndian: secret)).children.isEmpty)
    }

    func testManagedPasswordDescriptionsNeverContainTheBytes() {
        let password = ManagedPassword(utf16LittleEndian: secret)
        for text in [password.description, password.debugDescription, "\(password)", String(reflecting: password), dumped(password)] {
            assertHidden(text)
        }
    }

    func testEqualBytesAreEqual() {
        XCTAssertEqual(secret, SecretBytes(Array("SECRETPW".utf8)))
        XCTAssertEqual(SecretBytes([]), SecretBytes([]))
        let copy = secret
        XCTAssertEqual(copy, secret)
    }

    func testDifferentBytesOrLengthsAreNotEqual() {
        XCTAssertNotEqual(secret, SecretBytes(Array("SECRETPX".utf8)))
        XCTAssertNotEqual(secret, SecretBytes(Array("TECRETPW".utf8)))
        XCTAssertNotEqual(secret, SecretBytes(Array("SECRETP".utf8)))
        XCTAssertNotEqual(secret, SecretBytes([]))
    }

    func testAllInitialisersHoldTheSameBytes() {
        let bytes: [UInt8] = [1, 2, 3, 0, 255]
        let copied = bytes.withUnsafeBytes { SecretBytes(copying: $0) }
        let written = SecretBytes(count: 5) { buffer in buffer.copyBytes(from: bytes) }
        XCTAssertEqual(array(copied), bytes)
        XCTAssertEqual(copied, written)
        XCTAssertEqual(written.count, 5)
    }

    func testFailingInitialiserRethrowsItsError() {
        struct Refused: Error, Equatable {}
        XCTAssertThrowsError(try SecretBytes(count: 4) { (_: UnsafeMutableRawBufferPointer) throws(Refused) in throw Refused() }) {
            XCTAssertEqual($0 as? Refused, Refused())
        }
    }

    func testWithUnsafeBytesRethrows() {
        struct Stop: Error {}
        XCTAssertThrowsError(try secret.withUnsafeBytes { _ in throw Stop() })
        XCTAssertEqual(secret.withUnsafeBytes { $0.count }, 8)
    }
}

import OperatorTools
import Foundation
import XCTest

final class BlobInputTests: XCTestCase {
    private let raw: [UInt8] = [1, 0, 0, 0, 34, 0, 0, 0, 16, 0, 0, 0, 24, 0, 26, 0] + [0x41, 0, 0, 0] + [UInt8](repeating: 0, count: 14)

    func testRawBlobIsTakenAsIs() {
        XCTAssertEqual(BlobReport.blobBytes(from: raw), raw)
    }

    func testBase64IsDecoded() {
        XCTAssertEqual(BlobReport.blobBytes(from: Array((Data(raw).base64EncodedString() + "\n").utf8)), raw)
    }

    func testFoldedLDIFLineFromLdapsearchIsDecoded() {
        let base64 = Data(raw).base64EncodedString()
        let split = base64.index(base64.startIndex, offsetBy: 10)
        let ldif =
            "dn: CN=WebApp01,CN=Managed Service Accounts,DC=contoso,DC=test\nmsDS-ManagedPassword:: \(base64[..<split])\n \(base64[split...])\nmsDS-KeyVersionNumber: 1\n"
        XCTAssertEqual(BlobReport.blobBytes(from: Array(ldif.utf8)), raw)
    }

    func testTextThatIsNotBase64IsRejected() {
        XCTAssertNil(BlobReport.blobBytes(from: Array("not a blob!".utf8)))
    }
}

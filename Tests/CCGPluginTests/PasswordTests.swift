import CCGPlugin
import XCTest

final class PasswordTests: XCTestCase {
    func testPasswordNeverPrintsItself() {
        let password = Password("Hunter2-Secret")
        let credential = DomainCredential(domainName: "CONTOSO", username: "u", password: password)
        var dumped = ""
        dump(credential, to: &dumped)
        for text in [
            "\(password)", String(describing: password), String(reflecting: password), "\(credential)",
            String(reflecting: credential), dumped,
        ] {
            XCTAssertFalse(text.contains("Hunter2"), text)
        }
        XCTAssertEqual("\(password)", "<password: 14 bytes, redacted>")
    }

    func testPasswordLendsItsUTF8AndCompares() {
        let password = Password("pä$$")
        XCTAssertEqual(password.withUTF8 { Array($0) }, Array("pä$$".utf8))
        XCTAssertEqual(password, Password(utf8: Array("pä$$".utf8)))
        XCTAssertNotEqual(password, Password("pä$"))
        XCTAssertTrue(Password("").isEmpty)
    }
}

import KerberosKeys
import XCTest

final class SaltTests: XCTestCase {
    func testComputerAccountSaltFollowsADsRule() {
        let salt = Salt.computerAccount(realm: "CONTOSO.TEST", accountName: "WebApp01$", dnsDomain: "contoso.test")
        XCTAssertEqual(salt.value, "CONTOSO.TESThostwebapp01.contoso.test")
        XCTAssertEqual(salt.description, salt.value)
    }

    func testRealmIsUppercasedAndNameAndDomainLowercased() {
        let salt = Salt.computerAccount(realm: "Corp.Example.com", accountName: "SQL-Svc$", dnsDomain: "Corp.EXAMPLE.com")
        XCTAssertEqual(salt.value, "CORP.EXAMPLE.COMhostsql-svc.corp.example.com")
    }

    func testOnlyOneTrailingDollarIsStripped() {
        XCTAssertEqual(Salt.computerAccount(realm: "R", accountName: "web", dnsDomain: "r").value, "Rhostweb.r")
        XCTAssertEqual(Salt.computerAccount(realm: "R", accountName: "we$b$$", dnsDomain: "r").value, "Rhostwe$b$.r")
    }

    func testTrailingDotOfARootedDomainIsDropped() {
        XCTAssertEqual(
            Salt.computerAccount(realm: "CONTOSO.TEST", accountName: "WebApp01$", dnsDomain: "contoso.test.").value,
            "CONTOSO.TESThostwebapp01.contoso.test")
    }
}

@testable import Directory
import DomainModel
import XCTest

/// The ping's datagrams, against BER written out by hand from RFC 4511's ASN.1 (definite
/// lengths, as DER encodes them).
final class LDAPPingMessageTests: XCTestCase {
    /// TLV with a short-form length.
    private func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        precondition(content.count < 128)
        return [tag, UInt8(content.count)] + content
    }

    private func octets(_ text: String) -> [UInt8] { tlv(0x04, Array(text.utf8)) }

    func testTheRequestSearchesTheRootDSEForNetlogonByDomainAndVersion() {
        let filter = tlv(
            0xA0,
            tlv(0xA3, octets("DnsDomain") + octets("contoso.test"))
                + tlv(0xA3, octets("NtVer") + tlv(0x04, [0x16, 0, 0, 0])))
        let search = tlv(
            0x63,
            octets("") + tlv(0x0A, [0]) + tlv(0x0A, [0]) + tlv(0x02, [0]) + tlv(0x02, [0]) + tlv(0x01, [0])
                + filter + tlv(0x30, octets("Netlogon")))
        let expected = tlv(0x30, tlv(0x02, [7]) + search)
        XCTAssertEqual(LDAPPing.request(messageID: 7, dnsDomain: "contoso.test"), expected)
    }

    func testTheAnswersNetlogonValueAndMessageIDAreRead() throws {
        let value: [UInt8] = [23, 0, 0, 0, 1, 2, 3, 4]
        let attribute = tlv(0x30, octets("Netlogon") + tlv(0x31, tlv(0x04, value)))
        let entry = tlv(0x64, octets("") + tlv(0x30, attribute))
        let done = tlv(0x30, tlv(0x02, [3]) + tlv(0x65, tlv(0x0A, [0]) + octets("") + octets("")))
        // An AD DC sends the entry and the searchResDone in one datagram.
        let answer = try LDAPPing.netlogonValue(of: tlv(0x30, tlv(0x02, [3]) + entry) + done)
        XCTAssertEqual(answer.messageID, 3)
        XCTAssertEqual(answer.netlogon, value)
    }

    func testADoneWithoutAnEntryMeansTheDCHasNothingToSay() throws {
        let done = tlv(0x30, tlv(0x02, [5]) + tlv(0x65, tlv(0x0A, [0]) + octets("") + octets("")))
        let answer = try LDAPPing.netlogonValue(of: done)
        XCTAssertEqual(answer.messageID, 5)
        XCTAssertNil(answer.netlogon)
    }

    func testBytesThatAreNoLDAPMessageAreRefused() {
        XCTAssertThrowsError(try LDAPPing.netlogonValue(of: [0x04, 0x02, 0x61]))
    }

    func testNoBytesAreNoLDAPMessage() {
        XCTAssertThrowsError(try LDAPPing.netlogonValue(of: []))
    }

    func testNoControllerToPingSaysSo() {
        XCTAssertThrowsError(try LDAPPing.first(of: [], dnsDomain: "contoso.test", timeoutMilliseconds: 10)) { error in
            XCTAssertTrue("\(error)".contains("no DC to ping"), "\(error)")
        }
    }

    func testTheSitesDCsComeFirstAndEachDCOnce() {
        let dc1 = DomainController(hostName: "dc1.contoso.test", address: "192.0.2.1")
        let dc2 = DomainController(hostName: "dc2.contoso.test", address: "192.0.2.2")
        let dc3 = DomainController(hostName: "dc3.contoso.test", address: "192.0.2.3")
        let site = [DomainController(hostName: "DC2.contoso.test", address: "192.0.2.2")]
        let ordered = DomainControllerLocation.siteFirst(site: site, domain: [dc1, dc2, dc3])
        XCTAssertEqual(ordered.map(\.hostName), ["DC2.contoso.test", "dc1.contoso.test", "dc3.contoso.test"])
        let location = DomainControllerLocation(
            controllers: ordered, site: ClientSite(name: "Branch", origin: .configured), siteControllers: ["DC2.contoso.test"])
        XCTAssertTrue(location.isInSite("dc2.contoso.test"))
        XCTAssertFalse(location.isInSite("dc1.contoso.test"))
    }

    func testTheSiteRecordIsTheSitesLDAPRecordUnderMsdcs() {
        XCTAssertEqual(
            DomainControllerLocator.serviceRecord(of: "contoso.test", site: "Branch"), "_ldap._tcp.Branch._sites.dc._msdcs.contoso.test")
    }
}

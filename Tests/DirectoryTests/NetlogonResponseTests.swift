@testable import Directory
import DomainModel
import XCTest

/// NETLOGON_SAM_LOGON_RESPONSE_EX values built field by field from MS-ADTS 6.3.1.9, with the
/// compressed names of RFC 1035 4.1.4 (pointers count from the structure's first byte).
final class NetlogonResponseTests: XCTestCase {
    /// Labels of `name`, each length-prefixed, then `end` (a zero byte, or a pointer).
    private func labels(_ name: String, end: [UInt8] = [0]) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + end
    }

    private func pointer(to offset: Int) -> [UInt8] { [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)] }

    private func header(opcode: UInt16 = 23, flags: UInt32) -> [UInt8] {
        [UInt8(opcode & 0xFF), UInt8(opcode >> 8), 0, 0]
            + [UInt8(flags & 0xFF), UInt8(flags >> 8 & 0xFF), UInt8(flags >> 16 & 0xFF), UInt8(flags >> 24)]
            + [UInt8](repeating: 0xAB, count: 16)
    }

    /// A DC of Branch answering a client of Branch, its names compressed as an AD DC does:
    /// the domain's name once, the host's and the sites' pointing back at it.
    private func branchAnswer(version: UInt32) -> [UInt8] {
        var bytes = header(flags: 0x8000_0000 | 0x4000_0000 | 0x2000_0000 | 0x1FD)
        let forest = bytes.count // 24
        bytes += labels("contoso.test") // DnsForestName
        bytes += pointer(to: forest) // DnsDomainName: the same name
        bytes += labels("dc2", end: pointer(to: forest)) // DnsHostName: dc2 + the domain
        bytes += labels("CONTOSO") // NetbiosDomainName
        bytes += labels("DC2") // NetbiosComputerName
        bytes += [0] // UserName: empty
        let site = bytes.count
        bytes += labels("Branch") // DcSiteName
        bytes += pointer(to: site) // ClientSiteName: the same site
        if version & 0x8 != 0 { bytes += [16, 2, 0, 0, 0, 127, 0, 0, 31] + [UInt8](repeating: 0, count: 8) }
        if version & 0x10 != 0 { bytes += [0] } // NextClosestSiteName: none
        bytes += [UInt8(version & 0xFF), 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF] // NtVersion, LmNtToken, Lm20Token
        return bytes
    }

    func testTheClientSiteAndEveryNameAreReadThroughPointers() throws {
        let response = try NetlogonResponse(decoding: branchAnswer(version: 0x16), version: 0x16)
        XCTAssertEqual(response.opcode, 23)
        XCTAssertEqual(response.dnsForestName, "contoso.test")
        XCTAssertEqual(response.dnsDomainName, "contoso.test")
        XCTAssertEqual(response.dnsHostName, "dc2.contoso.test")
        XCTAssertEqual(response.netbiosDomainName, "CONTOSO")
        XCTAssertEqual(response.netbiosComputerName, "DC2")
        XCTAssertEqual(response.userName, "")
        XCTAssertEqual(response.dcSiteName, "Branch")
        XCTAssertEqual(response.clientSiteName, "Branch")
        XCTAssertEqual(response.nextClosestSiteName, "")
        XCTAssertTrue(response.isInClientSite, "DS_CLOSEST_FLAG (0x80) is set")
    }

    func testTheSocketAddressIsSkippedWhenThePingAskedForIt() throws {
        let response = try NetlogonResponse(decoding: branchAnswer(version: 0x1E), version: 0x1E)
        XCTAssertEqual(response.clientSiteName, "Branch")
        XCTAssertEqual(response.nextClosestSiteName, "")
    }

    func testANextClosestSiteLeftOutIsNoError() throws {
        // Samba 4.22 answers WITH_CLOSEST_SITE without the field: the trailer follows ClientSiteName.
        let response = try NetlogonResponse(decoding: branchAnswer(version: 0x6), version: 0x16)
        XCTAssertEqual(response.clientSiteName, "Branch")
        XCTAssertNil(response.nextClosestSiteName)
    }

    func testAClientOutsideEverySubnetHasAnEmptySite() throws {
        var bytes = header(flags: 0x1FD - 0x80)
        bytes += labels("contoso.test") + pointer(to: 24) + labels("dc1", end: pointer(to: 24))
        bytes += labels("CONTOSO") + labels("DC1") + [0]
        bytes += labels("Default-First-Site-Name") + [0] // ClientSiteName: none
        let response = try NetlogonResponse(decoding: bytes, version: 0x6)
        XCTAssertEqual(response.dcSiteName, "Default-First-Site-Name")
        XCTAssertEqual(response.clientSiteName, "")
        XCTAssertFalse(response.isInClientSite)
        XCTAssertNil(response.nextClosestSiteName, "not asked for")
    }

    func testAnotherStructureIsRefusedByItsOpcode() {
        // 19: LOGON_PRIMARY_RESPONSE, an NT4 answer.
        XCTAssertThrowsError(try NetlogonResponse(decoding: header(opcode: 19, flags: 0) + [0], version: 0x16)) { error in
            XCTAssertEqual(error as? NetlogonResponseError, .unexpectedOpcode(19))
        }
    }

    func testAStructureCutShortSaysWhere() {
        let bytes = Array(branchAnswer(version: 0x16).prefix(30))
        XCTAssertThrowsError(try NetlogonResponse(decoding: bytes, version: 0x16)) { error in
            guard case .truncated = error as? NetlogonResponseError else { return XCTFail("\(error)") }
        }
    }

    func testAPointerForwardOrToItselfIsRefusedRatherThanFollowedForever() {
        var bytes = header(flags: 0)
        bytes += pointer(to: 24) // DnsForestName pointing at itself
        XCTAssertThrowsError(try NetlogonResponse(decoding: bytes, version: 0x16)) { error in
            guard case .badName(field: "DnsForestName", offset: 24, _) = error as? NetlogonResponseError else { return XCTFail("\(error)") }
        }
    }

    func testALabelLengthWithReservedBitsIsRefused() {
        let bytes = header(flags: 0) + [0x40, 0x61, 0]
        XCTAssertThrowsError(try NetlogonResponse(decoding: bytes, version: 0x16)) { error in
            guard case .badName(field: "DnsForestName", _, _) = error as? NetlogonResponseError else { return XCTFail("\(error)") }
        }
    }
}

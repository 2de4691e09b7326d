import Directory
import Foundation
import XCTest

/// Domain controllers found through DNS SRV records, as a domain publishes them (the test
/// domain's own DNS server answers on 127.0.0.1:5353).
final class DiscoveryIntegrationTests: XCTestCase {
    func testLocatorFindsTheDomainControllerThroughSRVRecords() throws {
        let domain = try TestDomain.require()
        let controllers = try DomainControllerLocator(nameservers: [domain["DNS"]]).controllers(forDomain: domain.dnsDomain)
        // Every DC of the domain, each with its address from the same DNS server (the second DC
        // when scripts/testdomain up-dc2 joined one); their order is the SRV weights' random draw.
        var expected = [domain.controller.hostName: "127.0.0.1"]
        if !domain["DC2"].isEmpty { expected[domain["DC2"]] = domain["DC2_ADDRESS"] }
        XCTAssertEqual(Dictionary(controllers.map { ($0.hostName.lowercased(), $0.address ?? "") }, uniquingKeysWith: { $1 }), expected)
        XCTAssertEqual(Set(controllers.map(\.ldapPort)), [389])
    }

    func testDomainWithoutSRVRecordsSaysWhatToDo() throws {
        let domain = try TestDomain.require()
        XCTAssertThrowsError(try DomainControllerLocator(nameservers: [domain["DNS"]]).controllers(forDomain: "nowhere.contoso.test")) { error in
            // The SRV record is what was asked for, never a domain controller.
            guard case let .discoveryFailed(name, record, servers, reason) = error as? DirectoryError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "nowhere.contoso.test")
            XCTAssertEqual(record, "_ldap._tcp.dc._msdcs.nowhere.contoso.test")
            XCTAssertEqual(servers, [domain["DNS"]])
            XCTAssertTrue(reason.hasPrefix("the DNS lookup failed"), reason)
            XCTAssertTrue(
                "\(error)".hasPrefix(
                    "no domain controller of nowhere.contoso.test was found: DNS SRV _ldap._tcp.dc._msdcs.nowhere.contoso.test (asked of \(domain["DNS"])) gave none: the DNS lookup failed"
                ), "\(error)")
            XCTAssertFalse("\(error)".contains("domain controller _ldap"), "\(error)")
        }
    }

    func testDaemonWithoutADomainSectionFindsTheDomainInDNS() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "dns-servers = \(domain["DNS"])", domainSection: false)
        defer { daemon.remove() }
        try daemon.start()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        try domain.run(
            ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/cc"])
        let conf = try String(contentsOfFile: directory + "/krb5.conf", encoding: .utf8)
        XCTAssertTrue(conf.contains("kdc = 127.0.0.1:88"), conf)
        let health = try await daemon.request(.GET, "/v1/health").object
        let controllers = (health["domains"] as? [[String: Any]])?.first?["controllers"] as? [[String: Any]]
        // The DC that served the lease (DNS's draw when the domain has two) is up and named in use.
        let inUse = controllers?.first { $0["inUse"] as? Bool == true }
        XCTAssertTrue([domain.controller.hostName, domain["DC2"]].contains((inUse?["host"] as? String)?.lowercased() ?? ""), "\(health)")
        XCTAssertEqual(inUse?["state"] as? String, "up", "\(health)")
    }
}

import Directory
import DomainModel
import Foundation
import Glibc
import XCTest

/// AD sites against the test domain's two DCs (scripts/testdomain up-dc2, which ends with
/// `scripts/testdomain sites`): DC1 in Default-First-Site-Name, DC2 in Branch, one subnet
/// (127.0.0.0/8) mapped to DC1's site. A test that puts this host in Branch maps that subnet to
/// Branch for its duration and back in its teardown (Samba counts 127.0.0.1 inside every subnet and
/// answers the first it lists, so a second, more specific subnet would not decide it).
final class SiteIntegrationTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/testdomain").path
    static let loopbackSubnet = "127.0.0.0/8"
    static let homeSite = "Default-First-Site-Name"
    static let branch = "Branch"

    /// The domain, once both DCs run and the sites exist; a skip that says how otherwise.
    private func twoSites() throws -> TestDomain {
        let domain = try TestDomain.require()
        guard !domain["DC2"].isEmpty else {
            throw XCTSkip("the test domain has no second DC: run scripts/testdomain up-dc2 (sites not tested)")
        }
        guard (try? testdomain(domain, ["dc", "DC2", "status"])) != nil else {
            throw XCTSkip("the second DC of the test domain is not running: run scripts/testdomain up-dc2 (sites not tested)")
        }
        guard try serverSite(domain, "DC2") == Self.branch else {
            throw XCTSkip("DC2 is in no site of its own: run scripts/testdomain sites (sites not tested)")
        }
        return domain
    }

    @discardableResult
    private func testdomain(_ domain: TestDomain, _ arguments: [String]) throws -> String {
        // A private domain's DCs live on other loopback addresses than the script's defaults.
        let outcome = try Command.run(
            Self.script, arguments,
            environment: [
                "CCGD_TESTDOMAIN_DIR": domain["DIR"], "CCGD_TESTDOMAIN_ADDRESS": domain["DC_ADDRESS"],
                "CCGD_TESTDOMAIN_DC2_ADDRESS": domain["DC2_ADDRESS"],
            ])
        guard outcome.status == 0 else {
            throw DaemonProcess.Failure("scripts/testdomain \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.all)")
        }
        return outcome.all
    }

    @discardableResult
    private func sambaTool(_ domain: TestDomain, _ arguments: [String]) throws -> String {
        let outcome = try Command.run(
            "/usr/bin/samba-tool",
            arguments + ["-H", "ldap://\(domain["DC_ADDRESS"])", "-A", domain["DIR"] + "/admin.auth", "-s", domain.smbConf])
        guard outcome.status == 0 else {
            throw DaemonProcess.Failure("samba-tool \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.all)")
        }
        return outcome.all
    }

    /// The site Samba's configuration puts the server object `name` in (its DN's site).
    private func serverSite(_ domain: TestDomain, _ name: String) throws -> String? {
        let found = try Command.run(
            "/usr/bin/ldbsearch",
            ["-H", domain["DIR"] + "/private/sam.ldb", "-b", "CN=Sites,CN=Configuration,\(domain.domainDN)", "(&(objectClass=server)(cn=\(name)))", "dn"])
        let prefix = "dn: CN=\(name),CN=Servers,CN="
        guard let line = found.output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return line.dropFirst(prefix.count).split(separator: ",").first.map(String.init)
    }

    /// The subnets of the forest in the order Samba's own search lists them, with their sites.
    private func subnets(_ domain: TestDomain) throws -> [(subnet: String, site: String)] {
        let found = try Command.run(
            "/usr/bin/ldbsearch",
            [
                "-H", domain["DIR"] + "/private/sam.ldb", "-s", "one", "-b", "CN=Subnets,CN=Sites,CN=Configuration,\(domain.domainDN)",
                "(objectClass=subnet)", "cn", "siteObject",
            ])
        var result: [(String, String)] = []
        var subnet: String?
        for line in found.output.split(separator: "\n") {
            if line.hasPrefix("cn: ") { subnet = String(line.dropFirst(4)) }
            if line.hasPrefix("siteObject: CN="), let name = subnet {
                result.append((name, String(line.dropFirst("siteObject: CN=".count).split(separator: ",")[0])))
            }
            if line.hasPrefix("dn: ") { subnet = nil }
        }
        return result
    }

    /// The address this host's packets to `address` leave from (what a DC sees the ping come from).
    private func sourceAddress(towards address: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(389).bigEndian
        inet_pton(AF_INET, address, &target.sin_addr)
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let connected = withUnsafePointer(to: &target) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        let named = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard connected == 0, named == 0 else { throw DaemonProcess.Failure("cannot tell this host's address towards \(address)") }
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &local.sin_addr, &text, socklen_t(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `address` lies in `subnet` (a.b.c.d/n), Samba's own test of a subnet.
    private func contains(_ subnet: String, _ address: String) -> Bool {
        let parts = subnet.split(separator: "/")
        guard parts.count == 2, let bits = UInt32(parts[1]), bits <= 32 else { return false }
        func number(_ text: Substring) -> UInt32 {
            var value = in_addr()
            inet_pton(AF_INET, String(text), &value)
            return UInt32(bigEndian: value.s_addr)
        }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return number(parts[0]) & mask == number(Substring(address)) & mask
    }

    /// The site Samba's configuration gives a client at `address`: the first subnet it lists that
    /// holds the address (all of them for 127.0.0.1, which Samba always counts in), or none.
    private func configuredSite(_ domain: TestDomain, for address: String) throws -> String {
        try subnets(domain).first { address == "127.0.0.1" || contains($0.subnet, address) }?.site ?? ""
    }

    /// Maps the loopback subnet to `site` on DC1 and has both DCs replicate it; the teardown puts it back.
    private func mapLoopback(_ domain: TestDomain, to site: String) throws {
        addTeardownBlock { [self] in
            _ = try? sambaTool(domain, ["sites", "subnet", "set-site", Self.loopbackSubnet, Self.homeSite])
            _ = try? testdomain(domain, ["dc", "DC2", "resume"])
            _ = try? testdomain(domain, ["dc", "DC2", "start"])
            _ = try? testdomain(domain, ["replicate"])
        }
        try sambaTool(domain, ["sites", "subnet", "set-site", Self.loopbackSubnet, site])
        try testdomain(domain, ["replicate"])
    }

    private func ping(_ domain: TestDomain, _ host: String, _ address: String) throws -> NetlogonResponse {
        try LDAPPing.first(of: [DomainController(hostName: host, address: address)], dnsDomain: domain.dnsDomain, timeoutMilliseconds: 2000)
            .response
    }

    private func health(_ daemon: DaemonProcess) async throws -> [String: Any] {
        let health = try await daemon.request(.GET, "/v1/health").object
        let domains = health["domains"] as? [[String: Any]] ?? []
        return domains.first { $0["realm"] as? String == daemon.domain.realm } ?? [:]
    }

    private func controllers(_ daemon: DaemonProcess) async throws -> [String: [String: Any]] {
        let list = try await health(daemon)["controllers"] as? [[String: Any]] ?? []
        return Dictionary(list.map { (($0["host"] as? String ?? "").lowercased(), $0) }, uniquingKeysWith: { $1 })
    }

    private func inUse(_ daemon: DaemonProcess) async throws -> String? {
        try await controllers(daemon).first { $0.value["inUse"] as? Bool == true }?.key
    }

    private func waitUntil(_ what: String, seconds: Int = 90, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<(seconds * 4) {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTFail("not within \(seconds) s: \(what)")
    }

    /// Waits until the DC whose database is `directory` holds `account` (replication).
    private func waitForAccount(_ directory: String, _ account: String) throws {
        for _ in 0..<120 {
            let found = try Command.run("/usr/bin/ldbsearch", ["-H", directory + "/private/sam.ldb", "(sAMAccountName=\(account)$)", "dn"])
            if found.output.contains("dn: ") { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw DaemonProcess.Failure("\(account) did not reach \(directory) in 60 s")
    }

    // MARK: the ping

    func testThePingNamesTheSiteSambaMapsThisHostToAndEachDCsOwnSite() throws {
        let domain = try twoSites()
        let client = try sourceAddress(towards: domain["DC_ADDRESS"])
        for site in [Self.homeSite, Self.branch] {
            if site == Self.branch { try mapLoopback(domain, to: site) }
            let expected = try configuredSite(domain, for: client)
            let mapping = try subnets(domain)
            XCTAssertEqual(expected, site, "samba-tool's mapping of \(client): \(mapping)")
            for (name, host, address) in [("DC1", domain["DC"], domain["DC_ADDRESS"]), ("DC2", domain["DC2"], domain["DC2_ADDRESS"])] {
                let answer = try ping(domain, host, address)
                XCTAssertEqual(answer.clientSiteName, expected, "\(name)'s answer for a client at \(client)")
                let own = try serverSite(domain, name)
                XCTAssertEqual(answer.dcSiteName, own, "\(name)'s own site")
                XCTAssertEqual(answer.dnsHostName.lowercased(), host.lowercased())
                XCTAssertEqual(answer.dnsDomainName.lowercased(), domain.dnsDomain)
                XCTAssertEqual(answer.isInClientSite, answer.dcSiteName == expected, "DS_CLOSEST_FLAG of \(name)")
            }
        }
    }

    func testThePingOfTwoDCsTakesTheFirstAnswerAndADeadOneCostsNoMore() throws {
        let domain = try twoSites()
        let silent = DomainController(hostName: "silent.contoso.test", address: "127.0.0.29") // nobody listens there
        let started = ContinuousClock.now
        let answer = try LDAPPing.first(of: [silent, domain.controller], dnsDomain: domain.dnsDomain, timeoutMilliseconds: 1000)
        XCTAssertEqual(answer.controller.hostName, domain.controller.hostName)
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(900), "the ping waited on the silent DC")
        XCTAssertThrowsError(try LDAPPing.first(of: [silent], dnsDomain: domain.dnsDomain, timeoutMilliseconds: 300)) { error in
            XCTAssertTrue("\(error)".contains("silent.contoso.test: no answer within 300 ms"), "\(error)")
        }
        XCTAssertThrowsError(try LDAPPing.first(of: [domain.controller], dnsDomain: "other.test", timeoutMilliseconds: 1000)) { error in
            XCTAssertTrue("\(error)".contains(domain.controller.hostName), "\(error)")
        }
    }

    func testTheLocatorPutsTheSitesDCFirst() throws {
        let domain = try twoSites()
        let home = try DomainControllerLocator(nameservers: [domain["DNS"]]).locate(domain: domain.dnsDomain)
        XCTAssertEqual(home.site?.name, Self.homeSite)
        XCTAssertEqual(home.controllers.first?.hostName.lowercased(), domain["DC"], "\(home)")
        XCTAssertEqual(home.siteControllers.map { $0.lowercased() }, [domain["DC"]])
        let configured = try DomainControllerLocator(nameservers: [domain["DNS"]], site: Self.branch).locate(domain: domain.dnsDomain)
        XCTAssertEqual(configured.site, ClientSite(name: Self.branch, origin: .configured))
        XCTAssertEqual(configured.controllers.map { $0.hostName.lowercased() }, [domain["DC2"], domain["DC"]])
        let nowhere = try DomainControllerLocator(nameservers: [domain["DNS"]], site: "Nowhere").locate(domain: domain.dnsDomain)
        XCTAssertEqual(Set(nowhere.controllers.map { $0.hostName.lowercased() }), [domain["DC"], domain["DC2"]])
        XCTAssertTrue(nowhere.siteProblem?.contains("_ldap._tcp.Nowhere._sites.dc._msdcs.\(domain.dnsDomain)") ?? false, "\(nowhere)")
    }

    // MARK: the daemon

    func testADaemonInBranchUsesDC2FirstFallsBackToDC1AndReturns() async throws {
        let domain = try twoSites()
        let dc1 = domain["DC"], dc2 = domain["DC2"]
        let account = "SiteBack01", hungAccount = "SiteHung01"
        for name in [account, hungAccount] {
            addTeardownBlock { [self] in _ = try? testdomain(domain, ["remove-gmsa", name]) }
            try testdomain(domain, ["add-gmsa", name, "30"])
            try waitForAccount(domain["DC2_DIR"], name)
        }
        try mapLoopback(domain, to: Self.branch)

        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "dns-servers = \(domain["DNS"])", domainSection: false, logLevel: "info")
        defer { daemon.remove() }
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        var standing = try await health(daemon)
        XCTAssertEqual(standing["site"] as? String, Self.branch, "\(standing)")
        XCTAssertTrue((standing["siteSource"] as? String ?? "").hasPrefix("LDAP ping of "), "\(standing)")
        var list = try await controllers(daemon)
        XCTAssertEqual(list[dc2]?["inUse"] as? Bool, true, "the site's DC serves: \(list)")
        XCTAssertEqual(list[dc2]?["inSite"] as? Bool, true, "\(list)")
        XCTAssertEqual(list[dc1]?["inSite"] as? Bool, false, "\(list)")
        let site = try await daemon.metric("ccgd_domain_site{realm=\"\(domain.realm)\",site=\"\(Self.branch)\"}")
        XCTAssertEqual(site, 1)
        XCTAssertTrue(daemon.logText.contains("this host is in AD site \(Self.branch)"), daemon.logText)
        let krb5 = try String(contentsOfFile: daemon.runtime + "/private/krb5.conf", encoding: .utf8)
        let kdcs = krb5.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("kdc =") }
        XCTAssertTrue(kdcs.first?.contains(domain["DC2_ADDRESS"]) ?? false, "libkrb5 asks the site's KDC first: \(krb5)")

        // The site's DC dead: any DC serves.
        try testdomain(domain, ["dc", "DC2", "kill"])
        let started = ContinuousClock.now
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
        print("sites: an uncached account's lease with the site's DC dead took \(ContinuousClock.now - started)")
        list = try await controllers(daemon)
        XCTAssertEqual(list[dc1]?["inUse"] as? Bool, true, "the other site's DC serves: \(list)")
        XCTAssertEqual(list[dc2]?["state"] as? String, "down", "\(list)")
        standing = try await health(daemon)
        XCTAssertEqual(standing["site"] as? String, Self.branch, "the site stays while its DC is down")

        // Back: the probe sees it, and the next fetch is served in the site again.
        try testdomain(domain, ["dc", "DC2", "start"])
        let restarted = ContinuousClock.now
        try await waitUntil("DC2 up again in /v1/health") { try await self.controllers(daemon)[dc2]?["state"] as? String == "up" }
        print("sites: DC2 seen up again \(ContinuousClock.now - restarted) after its start returned")
        _ = try await daemon.createLease(#"{"credentialSpecName": "\#(account)"}"#)
        let back = try await inUse(daemon)
        XCTAssertEqual(back, dc2, "the site's DC serves again once back")

        // The site's DC hung (its ports accept, nothing answers): any DC serves, within the bound.
        try testdomain(domain, ["dc", "DC2", "pause"])
        let hungStarted = ContinuousClock.now
        _ = try await daemon.createLease(#"{"credentialSpecName": "\#(hungAccount)"}"#)
        let hung = ContinuousClock.now - hungStarted
        print("sites: an uncached account's lease with the site's DC hung took \(hung)")
        let fallback = try await inUse(daemon)
        XCTAssertEqual(fallback, dc1, "the other site's DC serves while the site's hangs")
        XCTAssertLessThan(hung, .seconds(5), "the lease waited on the hung DC")
        try testdomain(domain, ["dc", "DC2", "resume"])
    }

    func testTheSiteKeyOverridesThePing() async throws {
        let domain = try twoSites()
        // The ping would say Default-First-Site-Name (the loopback subnet's site).
        XCTAssertEqual(try ping(domain, domain["DC"], domain["DC_ADDRESS"]).clientSiteName, Self.homeSite)
        let daemon = try DaemonProcess(
            domain: domain, extraConfiguration: "dns-servers = \(domain["DNS"])\nsite = \(Self.branch)", domainSection: false, logLevel: "info")
        defer { daemon.remove() }
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let standing = try await health(daemon)
        XCTAssertEqual(standing["site"] as? String, Self.branch, "\(standing)")
        XCTAssertEqual(standing["siteSource"] as? String, "site key", "\(standing)")
        let used = try await inUse(daemon)
        XCTAssertEqual(used, domain["DC2"])
        XCTAssertTrue(daemon.logText.contains("AD site \(Self.branch) (from [daemon] site)"), daemon.logText)
    }

    func testADaemonInDC1sSiteUsesDC1() async throws {
        let domain = try twoSites()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "dns-servers = \(domain["DNS"])", domainSection: false, logLevel: "info")
        defer { daemon.remove() }
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let standing = try await health(daemon)
        XCTAssertEqual(standing["site"] as? String, Self.homeSite, "\(standing)")
        let used = try await inUse(daemon)
        XCTAssertEqual(used, domain["DC"])
    }

    // MARK: the doctor

    func testTheDoctorShowsTheSiteAndWhyItChoseItsDC() throws {
        let domain = try twoSites()
        try mapLoopback(domain, to: Self.branch)
        // A daemon's configuration, never started: DNS discovery, no [domain] section.
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "dns-servers = \(domain["DNS"])", domainSection: false)
        defer { daemon.remove() }
        let doctor = { try Command.run("ccgctl", ["doctor", "--credspec", "WebApp01", "--config", daemon.configuration]) }
        let healthy = try doctor()
        XCTAssertEqual(healthy.status, 0, healthy.all)
        XCTAssertTrue(
            healthy.output.contains("site \(Self.branch) (from the LDAP ping answered by "), "the site and how it was found:\n\(healthy.all)")
        XCTAssertTrue(healthy.output.contains("its DCs first: \(domain["DC2"])"), healthy.all)
        XCTAssertTrue(healthy.output.contains("ccgd uses \(domain["DC2"]): in this host's site \(Self.branch)"), healthy.all)

        try testdomain(domain, ["dc", "DC2", "kill"])
        let fallback = try doctor()
        XCTAssertTrue(
            fallback.output.contains("ccgd uses \(domain["DC"]): fallback: no DC of this host's site \(Self.branch) answers"), fallback.all)
    }
}

import Foundation
import NIOHTTP1
import SocketAPI
import XCTest

/// A gMSA's password rolled on one DC and read from the other before and after replication: the
/// clocked domain's two DCs (ClockedTestDomain: DC1 on 127.0.0.10, DC2 on 127.0.0.12, each with
/// a clock file of its own) stand on either side of a 1-day gMSA's rollover while replication is
/// held (DISABLE_INBOUND_REPL on both), and the daemon reads from one, then the other.
///
/// What the two Samba 4.22 DCs do (measured 2026-12-07; P1 the password before the rollover, P2
/// after; kvno as msDS-KeyVersionNumber):
/// - DC1 past the rollover (+21h), DC2 not (+0), replication held: DC1's LDAP sends P2 as current
///   and P1 as previous (its first read past the rollover with kvno 1 in the same answer, 2 when
///   read again after it: DC1 stores P2 as it answers); DC2's LDAP sends P1 alone, kvno 1.
///   KDC1 accepts only P2 (kvno 2), KDC2 only P1 (kvno 1): `kinit -k` with a one-kvno keytab,
///   each KDC alone. A service ticket from KDC1 is kvno 2, from KDC2 kvno 1; a keytab holding
///   both decrypts both. `kinit -k` with that keytab works at KDC1 only: MIT's client takes the
///   highest kvno of the keytab, whatever the KDC (so no keytab serves a client login at both KDCs
///   in the window; the service side is what the previous keys are for).
/// - A Samba KDC past the rollover stores P2 itself at its first AS request for the account (no
///   LDAP read needed): kvno 2 in its database, P1 refused from then on.
/// - Without the hold, DC2 had P2 (kvno 2) within seconds although its clock was 21 h behind (the
///   DCs' replication connection was already bound).
/// - After `scripts/testdomain replicate`, DC2 (still +0) holds kvno 2: its KDC accepts only P2,
///   and its LDAP fails the read of msDS-ManagedPassword (`00002020: operational_search_post_process
///   failed for attribute 'msDS-ManagedPassword'`: the password it holds starts in its future).
///   With DC2's clock at +21h too, its LDAP sends P2 and P1 at kvno 2, as DC1's: the DCs agree.
/// - Clients 21 h (and 40 h) off a DC still log in and bind: MIT's client corrects its clock by the
///   KDC's (kdc_timesync), so one daemon reads from both DCs.
final class RotationAcrossControllersIntegrationTests: XCTestCase {
    private var clocked: ClockedTestDomain?
    private var daemon: DaemonProcess?
    private var account = ""
    private var scratch = ""
    /// The daemon's own clock: it reads from DCs on either side of the rollover.
    private var daemonClock: String { scratch + "/daemon.clock" }

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "/ccgd-rotation-dcs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    override func tearDown() {
        daemon?.remove()
        // Real time, replication let go, the throwaway gMSA gone, both DCs stopped.
        clocked?.stop(removing: account.isEmpty ? [] : [account])
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func testLeasesHoldTheKeyOfEveryKDCWhileDCsDisagreeAndConvergeAfterReplication() throws {
        let clocked = try ClockedTestDomain()
        self.clocked = clocked
        try ECSIntegrationTests.requirePython()
        let domain = try clocked.startSecondController()
        account = "RotDc" + UUID().uuidString.prefix(6).lowercased()
        try ClockedTestDomain.testdomain(["add-gmsa", account, "1"])
        let sam = account + "$", spn = "host/\(account.lowercased()).\(domain.dnsDomain)"
        try waitUntilDC2Has(sam)
        try clocked.holdReplication()

        let (dc1, dc2) = (domain["DC"], domain["DC2"])
        let (address1, address2) = (domain["DC_ADDRESS"], domain["DC2_ADDRESS"])
        func controllers(_ first: String) -> String {
            let one = "\(dc1)=\(address1)", two = "\(dc2)=\(address2)"
            return "[domain \"\(domain.realm)\"]\ncontrollers = \(first == dc1 ? "\(one) \(two)" : "\(two) \(one)")\n"
        }
        try "+0\n".write(toFile: daemonClock, atomically: true, encoding: .utf8)
        // The ECS agent's renewal is the one way to have ccgd read a password again before its
        // time: the lease is the agent's, and the renewal is how the test reads from DC2 at will.
        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """

                [refresh]
                retry = 5s

                [ecs]
                socket = \(scratch)/credentials_fetcher.sock
                krb-files-directory = \(scratch)/krbdir

                \(controllers(dc1))
                """, domainSection: false, logLevel: "debug")
        self.daemon = daemon
        daemon.wrapper = [
            "/usr/bin/env", "LD_PRELOAD=\(ClockedTestDomain.faketimeLibrary)", "FAKETIME_TIMESTAMP_FILE=\(daemonClock)",
            "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1",
        ]
        try daemon.start()
        try agent(daemon, "account-lease")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch + "/agent.json"))) as? [String: Any]
        let lease = try XCTUnwrap(state?["directory"] as? String)
        let keytab = lease + "/krb5.keytab"
        var clocks = ["KDC1": "+0", "KDC2": "+0"]
        let kdcs = ["KDC1": address1, "KDC2": address2]

        /// The kvno of a service ticket each KDC alone issues, decrypted with the lease's keytab.
        func serviceTicketKVNOs() throws -> [String: UInt32] {
            var kvnos: [String: UInt32] = [:]
            for (kdc, address) in kdcs {
                kvnos[kdc] = try serviceTicketKVNO(keytab: keytab, spn: spn, kdc: address, clock: clocks[kdc]!, domain: domain)
            }
            return kvnos
        }
        func login(at kdc: String) throws -> String? {
            try self.login(keytab: keytab, principal: "\(sam)@\(domain.realm)", kdc: kdcs[kdc]!, clock: clocks[kdc]!, domain: domain)
        }

        // Both DCs at the real time: kvno 1 everywhere.
        XCTAssertEqual(try keytabKVNOs(keytab, "\(sam)@\(domain.realm)", domain), [1])
        XCTAssertEqual(try serviceTicketKVNOs(), ["KDC1": 1, "KDC2": 1])

        // DC1 past the rollover, DC2 not: the daemon, at DC1's time, reads the new password from DC1 on its own schedule.
        try clocked.move(to: "+21h")
        try moveDaemon(to: "+21h")
        clocks["KDC1"] = "+21h"
        try eventually("the lease holds kvno 2 and 1") { try keytabKVNOs(keytab, "\(sam)@\(domain.realm)", domain) == [1, 2] }
        XCTAssertEqual(try serviceTicketKVNOs(), ["KDC1": 2, "KDC2": 1], "each KDC's ticket decrypts with the lease's keytab")
        XCTAssertNil(try login(at: "KDC1"), "kinit -k at KDC1")
        let kinitAtLaggingKDC = try login(at: "KDC2")
        XCTAssertEqual(try accountKVNO(daemon, account), 2)

        // Now from DC2, which still has kvno 1: DC2 first in the configuration (a reload), the
        // daemon at DC2's time (a GSSAPI bind needs it within Kerberos's 5 minutes), a read now.
        let logBefore = daemon.logText.count
        try rewriteDomainSection(daemon, controllers(dc2))
        kill(daemon.pid!, SIGHUP)
        try moveDaemon(to: "+0")
        try eventually("the reload") { daemon.logText.dropFirst(logBefore).contains("reload") }
        try agent(daemon, "read-again")
        let fromDC2 = String(daemon.logText.dropFirst(logBefore))
        XCTAssertTrue(fromDC2.contains("still has an older password"), "the disagreement is logged: \(fromDC2.suffix(3000))")
        XCTAssertEqual(try keytabKVNOs(keytab, "\(sam)@\(domain.realm)", domain), [1, 2], "never back to kvno 1 alone")
        XCTAssertEqual(try serviceTicketKVNOs(), ["KDC1": 2, "KDC2": 1])
        XCTAssertEqual(try accountKVNO(daemon, account), 2)
        // Read from DC2 once more: the same disagreement is not logged again.
        try agent(daemon, "read-again")

        // Replication, and DC2's clock (and the daemon's) past the rollover too: the DCs agree on kvno 2.
        try clocked.holdReplication(false)
        try ClockedTestDomain.testdomain(["replicate"])
        try clocked.moveSecondController(to: "+21h")
        try moveDaemon(to: "+21h")
        clocks["KDC2"] = "+21h"
        try agent(daemon, "read-again")
        XCTAssertTrue(daemon.logText.contains("agree on the password again"), daemon.logText.suffix(3000).description)
        XCTAssertEqual(try keytabKVNOs(keytab, "\(sam)@\(domain.realm)", domain), [1, 2])
        XCTAssertEqual(try serviceTicketKVNOs(), ["KDC1": 2, "KDC2": 2])
        XCTAssertNil(try login(at: "KDC2"), "kinit -k at KDC2 once it has kvno 2")
        XCTAssertEqual(try accountKVNO(daemon, account), 2)
        XCTAssertEqual(daemon.logText.components(separatedBy: "still has an older password").count - 1, 1, "the disagreement logged once")
        print(
            "rotation across DCs: kvno 1 → 2 on DC1 with DC2 at 1; service tickets kvno 2 (KDC1) and 1 (KDC2) decrypt with the lease's keytab; kinit -k at KDC2 in the window: \(kinitAtLaggingKDC ?? "accepted")"
        )
    }

    /// The ECS agent (ECS/credentials_fetcher_client.py) in `mode`, for this test's account.
    private func agent(_ daemon: DaemonProcess, _ mode: String) throws {
        let outcome = try ECSIntegrationTests.runClient(
            daemon, mode: mode, socket: scratch + "/credentials_fetcher.sock", krbDirectory: scratch + "/krbdir",
            state: scratch + "/agent.json", environment: ["ECS_ACCOUNT": account])
        guard outcome.status == 0 else {
            throw DaemonProcess.Failure("the agent's \(mode) failed: \(outcome.all)\n--- ccgd's log:\n\(daemon.logText.suffix(4000))")
        }
    }

    // MARK: helpers

    private func moveDaemon(to offset: String) throws {
        try "\(offset)\n".write(toFile: daemonClock, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 2.5)
    }

    /// Replaces the configuration's [domain] section (the last one in the file).
    private func rewriteDomainSection(_ daemon: DaemonProcess, _ section: String) throws {
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        guard let start = text.range(of: "[domain ") else { throw DaemonProcess.Failure("no [domain] section in \(daemon.configuration)") }
        let rest = text[start.lowerBound...]
        let end = rest.dropFirst().range(of: "\n[")?.lowerBound ?? text.endIndex
        try (text[..<start.lowerBound] + section + text[end...]).write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
    }

    private func waitUntilDC2Has(_ sam: String) throws {
        let database = ClockedTestDomain.directory + "/dc2/private/sam.ldb"
        try eventually("\(sam) replicated to DC2") {
            try Command.run("/usr/bin/ldbsearch", ["-H", database, "(sAMAccountName=\(sam))", "msDS-SupportedEncryptionTypes"]).all
                .contains("msDS-SupportedEncryptionTypes: 28")
        }
    }

    /// A krb5.conf naming the KDC at `address` alone.
    private func krb5Config(_ address: String, _ domain: TestDomain) throws -> String {
        let path = scratch + "/krb5-\(address).conf"
        try """
        [libdefaults]
        \tdefault_realm = \(domain.realm)
        \tdns_lookup_realm = false
        \tdns_lookup_kdc = false
        \trdns = false
        \tdns_canonicalize_hostname = false
        \tudp_preference_limit = 1
        [realms]
        \t\(domain.realm) = {
        \t\tkdc = \(address):88
        \t}
        [domain_realm]
        \t.\(domain.dnsDomain) = \(domain.realm)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func clockEnvironment(_ offset: String, _ config: String) -> [String: String] {
        [
            "KRB5_CONFIG": config, "LD_PRELOAD": ClockedTestDomain.faketimeLibrary, "FAKETIME": offset,
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ]
    }

    /// The portable user's TGT from the KDC at `address` alone, then `kvno -k keytab spn`: the
    /// service ticket that KDC issues, decrypted with the keytab; its kvno.
    private func serviceTicketKVNO(keytab: String, spn: String, kdc address: String, clock: String, domain: TestDomain) throws -> UInt32 {
        let environment = clockEnvironment(clock, try krb5Config(address, domain))
        let (user, password) = try domain.credentials(domain.allowedCredentialsFile)
        let cache = scratch + "/user-\(address).cc"
        let secret = password.withUnsafeBytes { Data($0) }
        let login = try Command.run(
            "/usr/bin/env", ["kinit", "-c", cache, "\(user)@\(domain.realm)"], environment: environment, input: secret + Data("\n".utf8))
        guard login.status == 0 else { throw DaemonProcess.Failure("kinit \(user) at \(address) (clock \(clock)): \(login.all)") }
        let outcome = try Command.run("/usr/bin/env", ["kvno", "-c", cache, "-k", keytab, spn], environment: environment)
        // "host/x.contoso.test@CONTOSO.TEST: kvno = 2, keytab entry valid"
        guard outcome.status == 0, outcome.all.contains("keytab entry valid"),
            let kvno = outcome.all.components(separatedBy: "kvno = ").dropFirst().first?.prefix(while: \.isNumber).description,
            let number = UInt32(kvno)
        else {
            throw DaemonProcess.Failure("the service ticket of \(spn) from the KDC at \(address) does not decrypt with \(keytab): \(outcome.all)")
        }
        return number
    }

    /// `kinit -k` with the keytab at the KDC at `address` alone: nil when it logs in, else its error.
    private func login(keytab: String, principal: String, kdc address: String, clock: String, domain: TestDomain) throws -> String? {
        let outcome = try Command.run(
            "/usr/bin/env", ["kinit", "-k", "-t", keytab, "-c", scratch + "/gmsa.cc", principal],
            environment: clockEnvironment(clock, try krb5Config(address, domain)))
        return outcome.status == 0 ? nil : outcome.all.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `condition` every half second for up to two minutes.
    private func eventually(_ what: String, _ condition: () throws -> Bool) throws {
        try pollUntil(what, daemon: daemon, condition)
    }
}

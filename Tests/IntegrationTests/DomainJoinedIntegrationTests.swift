import Foundation
import XCTest

/// The domain-joined way: a CredSpec without HostAccountConfig, read with the host's own computer
/// account (its machine keytab), by `ccgctl fetch` and by the daemon.
final class DomainJoinedIntegrationTests: XCTestCase {
    private var directory = ""
    private var daemon: DaemonProcess?

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "/ccgd-joined-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        daemon?.remove()
        try? FileManager.default.removeItem(atPath: directory)
        // The outsider stays outside the readers group whatever a test did.
        if let domain = try? TestDomain.require() { try? domain.setReader(TestDomain.outsiderComputer, false) }
    }

    /// A computer account's keytab in this test's directory, the computer prepared in or out of the readers group.
    private func computer(_ name: String, reader: Bool) throws -> (domain: TestDomain, keytab: String, principal: String) {
        let domain = try TestDomain.require()
        let keytab = directory + "/\(name).keytab"
        try domain.prepareComputer(name, inReadersGroup: reader, keytab: keytab)
        return (domain, keytab, domain.computerPrincipal(name))
    }

    private func fetch(_ domain: TestDomain, keytab: String, principal: String) throws -> Command.Outcome {
        let spec = directory + "/Joined.json"
        try domain.domainJoinedCredSpec().write(toFile: spec, atomically: true, encoding: .utf8)
        return try Command.run(
            "ccgctl",
            [
                "fetch", "--credspec", spec, "--dc", "\(domain.controller.hostName)=127.0.0.1",
                "--machine-keytab", keytab, "--machine-principal", principal,
                "--keytab", directory + "/out.keytab", "--ccache", directory + "/out.cc",
                "--config", directory + "/none.conf",
            ])
    }

    private func started(_ domain: TestDomain, keytab: String, principal: String) throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            domain: domain, domainSection: false,
            pluginsConfiguration: """

                [domain "\(domain.realm)"]
                controllers = \(domain.controller.hostName)=127.0.0.1
                machine-keytab = \(keytab)
                machine-principal = \(principal)
                """)
        self.daemon = daemon
        try domain.domainJoinedCredSpec().write(toFile: daemon.credSpecs + "/Joined.json", atomically: true, encoding: .utf8)
        try daemon.start()
        return daemon
    }

    func testFetchReadsTheGMSAWithTheHostsComputerAccount() throws {
        let (domain, keytab, principal) = try computer(TestDomain.joinedComputer, reader: true)
        try "".write(toFile: directory + "/none.conf", atomically: true, encoding: .utf8)
        let outcome = try fetch(domain, keytab: keytab, principal: principal)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("as \(principal)"), outcome.output)
        // The keytab it wrote gets the gMSA a TGT from the KDC.
        try domain.run(
            ["kinit", "-k", "-t", directory + "/out.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(directory)/kinit.cc"])
    }

    func testComputerOutsideTheReadersGroupGetsOneClearError() throws {
        let (domain, keytab, principal) = try computer(TestDomain.outsiderComputer, reader: false)
        try "".write(toFile: directory + "/none.conf", atomically: true, encoding: .utf8)
        let outcome = try fetch(domain, keytab: keytab, principal: principal)
        XCTAssertNotEqual(outcome.status, 0)
        for expected in [
            "computer account \(principal) is not allowed to retrieve the managed password of WebApp01$",
            "msDS-GroupMSAMembership", "PrincipalsAllowedToRetrieveManagedPassword", "new ticket",
        ] {
            XCTAssertTrue(outcome.errors.contains(expected), "missing \(expected) in\n\(outcome.errors)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/out.keytab"))
    }

    func testCredSpecNewDomainJoinedWritesNoHostAccountConfigAndReadsAsTheComputer() throws {
        let (domain, keytab, principal) = try computer(TestDomain.joinedComputer, reader: true)
        try "".write(toFile: directory + "/none.conf", atomically: true, encoding: .utf8)
        let outcome = try Command.run(
            "ccgctl",
            [
                "credspec", "new", "WebApp01", "--domain-joined", "--path", "-",
                "--machine-keytab", keytab, "--machine-principal", principal,
                "--config", directory + "/none.conf", "--domain", domain.dnsDomain,
                "--dc", "\(domain.controller.hostName)=127.0.0.1",
            ])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.errors.contains("as \(principal) (sealed GSSAPI bind)"), outcome.errors)
        let spec = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let directoryConfig = try XCTUnwrap(spec["ActiveDirectoryConfig"] as? [String: Any])
        XCTAssertNil(directoryConfig["HostAccountConfig"], outcome.output)
        XCTAssertEqual((spec["DomainJoinConfig"] as? [String: String])?["Guid"], domain["DOMAIN_GUID"])
    }

    // MARK: doctor

    private func doctor(_ domain: TestDomain, keytab: String, principal: String) throws -> Command.Outcome {
        let spec = directory + "/Joined.json"
        try domain.domainJoinedCredSpec().write(toFile: spec, atomically: true, encoding: .utf8)
        try "[domain \"\(domain.realm)\"]\ncontrollers = \(domain.controller.hostName)=127.0.0.1\n"
            .write(toFile: directory + "/doctor.conf", atomically: true, encoding: .utf8)
        return try Command.run(
            "ccgctl",
            [
                "doctor", "--credspec", spec, "--config", directory + "/doctor.conf",
                "--machine-keytab", keytab, "--machine-principal", principal,
            ])
    }

    /// The last step line of a doctor report, and its diagnosis.
    private func lastStep(_ outcome: Command.Outcome) -> String {
        outcome.output.split(separator: "\n").last { ["✓", "!", "✗"].contains($0.first.map(String.init) ?? "") }.map(String.init) ?? ""
    }

    func testDoctorWalksTheDomainJoinedChain() throws {
        let (domain, keytab, principal) = try computer(TestDomain.joinedComputer, reader: true)
        let outcome = try doctor(domain, keytab: keytab, principal: principal)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        for expected in [
            "✓ machine keytab", "\(keytab) holds the keys of \(principal)", "✓ machine login",
            "as \(principal), sealed", "✓ gMSA TGT",
        ] {
            XCTAssertTrue(outcome.output.contains(expected), "missing \(expected) in\n\(outcome.all)")
        }
    }

    func testDoctorNamesTheGroupForAComputerOutsideIt() throws {
        let (domain, keytab, principal) = try computer(TestDomain.outsiderComputer, reader: false)
        let outcome = try doctor(domain, keytab: keytab, principal: principal)
        XCTAssertEqual(outcome.status, 1, outcome.all)
        XCTAssertTrue(lastStep(outcome).hasPrefix("✗ password permission"), outcome.all)
        XCTAssertTrue(outcome.output.contains("msDS-GroupMSAMembership"), outcome.all)
    }

    func testDoctorRefusesAMissingOpenOrForeignKeytab() throws {
        let (domain, keytab, principal) = try computer(TestDomain.joinedComputer, reader: true)
        let missing = try doctor(domain, keytab: directory + "/absent.keytab", principal: principal)
        XCTAssertTrue(lastStep(missing).hasPrefix("✗ machine keytab"), missing.all)
        XCTAssertTrue(missing.output.contains("cannot be found"), missing.all)

        let foreign = try doctor(domain, keytab: keytab, principal: "SOMEONEELSE$@\(domain.realm)")
        XCTAssertTrue(lastStep(foreign).hasPrefix("✗ machine keytab"), foreign.all)
        XCTAssertTrue(foreign.output.contains("klist -k \(keytab)"), foreign.all)

        chmod(keytab, 0o644)
        let open = try doctor(domain, keytab: keytab, principal: principal)
        XCTAssertTrue(lastStep(open).hasPrefix("✗ machine keytab"), open.all)
        XCTAssertTrue(open.output.contains("chmod 600 \(keytab)"), open.all)
    }

    func testDaemonLeaseIsReadWithTheHostsComputerAccount() async throws {
        let (domain, keytab, principal) = try computer(TestDomain.joinedComputer, reader: true)
        let daemon = try started(domain, keytab: keytab, principal: principal)
        let lease = try await daemon.createLease(#"{"credentialSpecName": "Joined"}"#)
        XCTAssertEqual(lease["hostname"] as? String, "WebApp01")
        let identity = try XCTUnwrap((lease["identities"] as? [[String: Any]])?.first)
        XCTAssertEqual(identity["principal"] as? String, "WebApp01$@\(domain.realm)")
        let directory = try XCTUnwrap(lease["directory"] as? String)
        let tickets = try domain.run(["klist", "-c", "FILE:\(directory)/krb5cc"])
        XCTAssertTrue(tickets.contains("WebApp01$@\(domain.realm)"), tickets)
    }

    func testOutsiderIsRefusedUntilItJoinsTheGroupWithoutARestart() async throws {
        let (domain, keytab, principal) = try computer(TestDomain.outsiderComputer, reader: false)
        let daemon = try started(domain, keytab: keytab, principal: principal)
        let refused = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Joined"}"#)
        XCTAssertEqual(refused.status, 502, refused.text)
        XCTAssertEqual(apiError(refused.object).code, "directory.access_denied")
        let error = apiError(refused.object)
        XCTAssertTrue(error.message.contains("msDS-GroupMSAMembership"), error.message)
        XCTAssertTrue(error.message.contains(principal), error.message)

        // After the group change the next try logs in anew, so the new membership counts: once the
        // refusal's short hold is over (until then it is answered from memory, saying when it ends).
        try domain.setReader(TestDomain.outsiderComputer, true)
        var answer = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Joined"}"#)
        for _ in 0..<30 where answer.status != 201 {
            XCTAssertTrue(apiError(answer.object).message.contains("and tries again then"), answer.text)
            try await Task.sleep(for: .milliseconds(500))
            answer = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Joined"}"#)
        }
        XCTAssertEqual(answer.status, 201, answer.text)
        XCTAssertEqual(answer.object["hostname"] as? String, "WebApp01")
    }
}

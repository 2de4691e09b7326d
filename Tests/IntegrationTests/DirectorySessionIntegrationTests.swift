import CCGPlugin
import CredSpec
import Directory
import DurableFiles
import FilePlugin
import Foundation
import Kerberos
import KerberosKeys
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import Observability
@testable import PluginHost

/// The daemon's account source keeps one warm directory session per domain and portable user;
/// the DC's keys and its KDC are the proof that what the warm session reads is right.
final class DirectorySessionIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("sessions", creating: ["scratch"])
        chmod(directory + "/scratch", 0o700)
    }

    /// A source whose file plug-in reads `credentials.cred` in this test's directory, and WebApp01's
    /// CredSpec pointing its PluginInput there.
    private func source(_ domain: TestDomain) throws -> (DirectoryAccountSource, CredentialSpec) {
        try useCredentials(of: domain.allowedCredentialsFile)
        let text = try String(contentsOfFile: domain.credSpecDirectory + "/WebApp01.json", encoding: .utf8)
            .replacingOccurrences(of: domain.allowedCredentialsFile, with: credentialsFile)
        try text.write(toFile: directory + "/WebApp01.json", atomically: true, encoding: .utf8)
        let spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: directory + "/WebApp01.json"))
        let health = ControllerHealth()
        let domains = Domains(configured: [domain.realm: DomainSettings(controllers: [domain.controller])], health: health)
        let source = DirectoryAccountSource(
            plugins: PluginRegistry.builtIn(credentialsDirectory: directory), scratch: directory + "/scratch",
            domains: domains, health: health)
        return (source, spec)
    }

    private var credentialsFile: String { directory + "/credentials.cred" }

    /// Rewrites the plug-in's answer: the user and password of another credentials file of the domain.
    private func useCredentials(of file: String) throws {
        let credential = try FilePlugin(directory: (file as NSString).deletingLastPathComponent).read(pluginInput: file)
        try useCredentials("\(credential.domainName)\\\(credential.username)", credential.password)
    }

    private func useCredentials(_ user: String, _ password: Password) throws {
        var bytes = Array("\(user):".utf8)
        password.withUTF8 { bytes += $0 }
        defer { for index in bytes.indices { bytes[index] = 0 } }
        try AtomicFile.write(bytes, to: credentialsFile, ownership: .privateToCaller)
    }

    private func hex(_ key: KerberosKey) -> String {
        key.bytes.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    private func code(_ body: () async throws -> Void) async -> String? {
        do { try await body(); return nil } catch { return (error as? CodedError)?.code.rawValue ?? "\(error)" }
    }

    func testTwoColdAccountsInSequenceShareOneSession() async throws {
        let domain = try TestDomain.require()
        let (source, spec) = try source(domain)
        let first = try await source.fetch(accounts: ["WebApp01"], of: spec)
        let second = try await source.fetch(accounts: ["WebApp02"], of: spec)
        XCTAssertEqual(first.map(\.account.samAccountName), ["WebApp01$"])
        XCTAssertEqual(second.map(\.account.samAccountName), ["WebApp02$"])
        XCTAssertEqual(source.sessions.statistics, .init(new: 1, reused: 1, reconnected: 0))
        // The warm session's read is as good as a cold one: the KDC took the keys (make logs in), and they are the DC's.
        let oracle = try DomainControllerKeys(account: "WebApp02$", domain: domain)
        let account = try XCTUnwrap(second.first?.account)
        for key in account.currentKeys {
            XCTAssertTrue(oracle.keys.contains(.init(kvno: account.keyVersionNumber, enctype: key.encryptionType.name, hex: hex(key))))
        }
        let metrics = Metrics.shared.rendered()
        XCTAssertTrue(metrics.contains("ccgd_directory_sessions_total{result=\"reused\"}"), metrics)
    }

    func testAChangedPluginAnswerDropsTheSession() async throws {
        let domain = try TestDomain.require()
        let (source, spec) = try source(domain)
        _ = try await source.fetch(accounts: ["WebApp01"], of: spec)
        XCTAssertEqual(source.sessions.statistics.new, 1)

        // Another valid user, who may not read the password: a new login, and its refusal.
        try useCredentials(of: domain.outsiderCredentialsFile)
        let outsider = await code { _ = try await source.fetch(accounts: ["WebApp01"], of: spec) }
        XCTAssertEqual(outsider, "directory.access_denied")
        XCTAssertEqual(source.sessions.statistics.reused, 0, "the allowed user's session must not serve the outsider")

        // The allowed user with a wrong password: the KDC says so, no session is reused.
        let allowed = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        try useCredentials("\(allowed.domainName)\\\(allowed.username)", Password("not-the-password"))
        let wrong = await code { _ = try await source.fetch(accounts: ["WebApp01"], of: spec) }
        XCTAssertEqual(wrong, "auth.failed")
        XCTAssertEqual(source.sessions.statistics.reused, 0)

        // Back to the right password: a new session, then reused.
        try useCredentials(of: domain.allowedCredentialsFile)
        let before = source.sessions.statistics.new
        _ = try await source.fetch(accounts: ["WebApp01"], of: spec)
        _ = try await source.fetch(accounts: ["WebApp02"], of: spec)
        XCTAssertEqual(source.sessions.statistics.new, before + 1)
        XCTAssertEqual(source.sessions.statistics.reused, 1)
    }

    func testTheHostsComputerAccountKeepsAWarmSessionToo() async throws {
        let domain = try TestDomain.require()
        let keytab = directory + "/joined.keytab"
        try domain.prepareComputer(TestDomain.joinedComputer, inReadersGroup: true, keytab: keytab)
        try domain.domainJoinedCredSpec().write(toFile: directory + "/Joined.json", atomically: true, encoding: .utf8)
        let spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: directory + "/Joined.json"))
        var settings = DomainSettings(controllers: [domain.controller])
        settings.machine = MachineAccount(keytab: keytab, principal: domain.computerPrincipal(TestDomain.joinedComputer))
        let health = ControllerHealth()
        let source = DirectoryAccountSource(
            plugins: PluginRegistry.builtIn(credentialsDirectory: directory), scratch: directory + "/scratch",
            domains: Domains(configured: [domain.realm: settings], health: health), health: health)
        for _ in 0..<2 {
            let fetched = try await source.fetch(accounts: ["WebApp01"], of: spec)
            XCTAssertEqual(fetched.map(\.account.samAccountName), ["WebApp01$"])
        }
        XCTAssertEqual(source.sessions.statistics, .init(new: 1, reused: 1, reconnected: 0))
        // A reload forgets the sessions: the next fetch logs in anew.
        source.reconfigure(plugins: source.plugins, domains: source.domains)
        _ = try await source.fetch(accounts: ["WebApp01"], of: spec)
        XCTAssertEqual(source.sessions.statistics.new, 2)
    }

    func testASessionWhoseTicketNearsItsEndIsNotReused() throws {
        let domain = try TestDomain.require()
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        let fetcher = ManagedAccountFetcher(settings: DomainSettings(controllers: [domain.controller]))
        func fetchTwice(_ sessions: DirectorySessions) throws {
            for account in ["WebApp01", "WebApp02"] {
                _ = try fetcher.fetch(
                    accounts: [account], realm: domain.realm, dnsDomain: domain.dnsDomain, netBiosName: "CONTOSO",
                    login: .portableUser(credential), sessions: sessions, confirmingWith: { _ throws(AccountFetchError) in })
            }
        }
        let now = DirectorySessions()
        try fetchTwice(now)
        XCTAssertEqual(now.statistics, .init(new: 1, reused: 1, reconnected: 0))
        // The KDC's tickets live for hours: a clock a day ahead sees every TGT at its end.
        let later = DirectorySessions(clock: { Date().addingTimeInterval(86_400) })
        try fetchTwice(later)
        XCTAssertEqual(later.statistics, .init(new: 2, reused: 0, reconnected: 0))
    }

    func testAConnectionClosedUnderTheSessionIsReopened() async throws {
        let domain = try TestDomain.require()
        let (source, spec) = try source(domain)
        _ = try await source.fetch(accounts: ["WebApp01"], of: spec)
        source.sessions.shutDownConnections()
        let again = try await source.fetch(accounts: ["WebApp02"], of: spec)
        XCTAssertEqual(again.map(\.account.samAccountName), ["WebApp02$"])
        XCTAssertEqual(source.sessions.statistics, .init(new: 1, reused: 1, reconnected: 1))
    }

    func testAShutDownConnectionFailsAsUnreachableAndReconnectsWithTheSameTickets() throws {
        let domain = try TestDomain.require()
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        let session = try DirectorySession(
            settings: DomainSettings(controllers: [domain.controller]), realm: domain.realm,
            dnsDomain: domain.dnsDomain, credential: credential)
        session.connection.shutDownTransport()
        XCTAssertThrowsError(try session.connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)) { error in
            guard case .unreachable = error as? DirectoryError else { return XCTFail("\(error)") }
        }
        try session.reconnect()
        XCTAssertEqual(try session.connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN).samAccountName, "WebApp01$")
    }

    func testSeveralAccountsReadWithOneSearchHaveTheDomainControllersKeys() async throws {
        let domain = try TestDomain.require()
        let (source, spec) = try source(domain)
        let fetched = try await source.fetch(accounts: ["WebApp02", "WebApp01"], of: spec)
        XCTAssertEqual(fetched.map(\.account.samAccountName), ["WebApp02$", "WebApp01$"])
        for credentials in fetched {
            let account = credentials.account
            let oracle = try DomainControllerKeys(account: account.samAccountName, domain: domain)
            let ours = Set(
                account.currentKeys.map {
                    DomainControllerKeys.Key(kvno: account.keyVersionNumber, enctype: $0.encryptionType.name, hex: hex($0))
                })
            XCTAssertEqual(ours.count, 3)
            XCTAssertTrue(ours.isSubset(of: oracle.keys), "\(account.samAccountName)")
            let keytab = directory + "/\(account.name).keytab"
            try credentials.keytab.withUnsafeBytes { try AtomicFile.write($0, to: keytab, ownership: .privateToCaller) }
            try domain.run(["kinit", "-k", "-t", keytab, account.principal], environment: ["KRB5CCNAME": "FILE:\(directory)/\(account.name).cc"])
        }
    }

    func testARefusedKeyIsDerivedAgainWithTheKDCsSalt() throws {
        let domain = try TestDomain.require()
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        let session = try DirectorySession(
            settings: DomainSettings(controllers: [domain.controller]), realm: domain.realm,
            dnsDomain: domain.dnsDomain, credential: credential)
        let record = try session.connection.readManagedServiceAccount("WebApp02", domainDN: domain.domainDN)
        let wrong = Salt("\(domain.realm)hostrenamed.\(domain.dnsDomain)")
        var tries: [Salt] = []
        let scratch = directory + "/scratch"
        let (account, credentials) = try ManagedAccountFetcher.deriveConfirmed(
            record, realm: domain.realm, dnsDomain: domain.dnsDomain,
            ruleSalt: wrong
        ) { account throws(AccountFetchError) in
            tries.append(account.salt)
            return try AccountCredentials.make(account, scratch: scratch)
        }
        XCTAssertEqual(tries, [wrong, Salt("CONTOSO.TESThostwebapp02.contoso.test")])
        XCTAssertEqual(account.salt, tries.last)
        XCTAssertGreaterThan(credentials.ticket.endTime, Date())
    }

    func testAnAccountTheKDCRefusesForAnotherReasonIsNotRetried() throws {
        let domain = try TestDomain.require()
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        let session = try DirectorySession(
            settings: DomainSettings(controllers: [domain.controller]), realm: domain.realm,
            dnsDomain: domain.dnsDomain, credential: credential)
        let record = try session.connection.readManagedServiceAccount("WebApp02", domainDN: domain.domainDN)
        var tries = 0
        XCTAssertThrowsError(
            try ManagedAccountFetcher.deriveConfirmed(record, realm: domain.realm, dnsDomain: domain.dnsDomain) {
                _ throws(AccountFetchError) in
                tries += 1
                throw AccountFetchError.output(path: "/nowhere", reason: "test")
            })
        XCTAssertEqual(tries, 1)
    }
}

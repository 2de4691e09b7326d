import CCGPlugin
import CredSpec
import CredentialsFetcherWire
@testable import ECSFrontEnd
import Foundation
import Kerberos
import SocketAPI
import TestSupport
import XCTest
import DirectoryPipeline
import LeaseService
import PluginHost

/// The ECS front end's lease ids: 10 characters, so two requests may draw the same one. Its
/// directory is made exclusively, and a taken id is never shared, even less deleted.
final class ECSLeaseIDIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("ecs-ids", creating: ["krbdir", "run"])
    }

    /// The ids a service draws, in order.
    private final class Draws: @unchecked Sendable { // `ids` is guarded by `lock`
        private let lock = NSLock()
        private var ids: [String]
        init(_ ids: [String]) { self.ids = ids }
        func next() -> String { lock.withLock { ids.isEmpty ? CredentialsFetcherService.newLeaseID() : ids.removeFirst() } }
    }

    func testACollidingLeaseIDGetsAnotherAndTheOlderLeaseKeepsItsFiles() async throws {
        let domain = try TestDomain.require()
        let health = ControllerHealth()
        let domains = Domains(configured: [domain.realm: DomainSettings(controllers: [domain.controller])], health: health)
        let provided = ProvidedCredentials()
        var plugins = PluginRegistry.builtIn(credentialsDirectory: domain.credentialsDirectory)
        plugins.register(provided, guid: ProvidedCredentials.guid, name: "ecs-provided", origin: "built-in (ECS front end)")
        let source = DirectoryAccountSource(plugins: plugins, scratch: directory + "/scratch", domains: domains, health: health)
        try FileManager.default.createDirectory(atPath: directory + "/scratch", withIntermediateDirectories: true)
        let settings = LeaseKeeper.Settings(
            runtimeDirectory: directory + "/run", journal: LeaseJournal(directory: directory + "/state"),
            credSpecs: CredSpecDirectory(path: domain.credSpecDirectory)
        ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) }
        let keeper = LeaseKeeper(settings: settings, source: source)
        try await keeper.restore()
        let draws = Draws(["aaaaaaaaaa", "aaaaaaaaaa", "bbbbbbbbbb"])
        let service = CredentialsFetcherService(
            keeper: keeper, provided: provided, krbFilesDirectory: directory + "/krbdir",
            policy: { PeerPolicy(allowedUIDs: [0], allowedGIDs: []) }, readsWithMachineAccount: { _ in false },
            verifyPassword: { credential, spec throws(AccountFetchError) in try await source.verifyPortableUser(credential, for: spec) },
            newLeaseIDs: { draws.next() })

        let (user, password) = try domain.credentials(domain.allowedCredentialsFile)
        var request = CreateNonDomainJoinedKerberosLeaseRequest()
        request.credspecContents = [try String(contentsOfFile: domain.credSpecDirectory + "/WebApp01.json", encoding: .utf8)]
        (request.username, request.domain) = (user, domain.dnsDomain)
        request.password = password.withUnsafeBytes { Password(String(decoding: $0, as: UTF8.self)) }
        let root = PeerCredentials(pid: 0, uid: 0, gid: 0)

        let first = try await service.addNonDomainJoinedKerberosLease(request, peer: root)
        XCTAssertEqual(first.leaseID, "aaaaaaaaaa")
        let firstKeytab = directory + "/krbdir/aaaaaaaaaa/WebApp01/krb5.keytab"
        let before = try Data(contentsOf: URL(fileURLWithPath: firstKeytab))

        do {
            let second = try await service.addNonDomainJoinedKerberosLease(request, peer: root)
            XCTAssertEqual(second.leaseID, "bbbbbbbbbb", "the taken id was drawn again: another one is used")
            XCTAssertEqual(second.createdKerberosFilePaths, [directory + "/krbdir/bbbbbbbbbb/WebApp01"])
        } catch {
            XCTFail("the second request failed: \(error)")
        }
        XCTAssertEqual(try? Data(contentsOf: URL(fileURLWithPath: firstKeytab)), before, "the older lease's files are untouched")
        let containers = await keeper.allLeases().compactMap(\.containerID).sorted()
        XCTAssertEqual(containers, ["ecs:aaaaaaaaaa", "ecs:bbbbbbbbbb"], "both leases live")
        var status = stat()
        XCTAssertEqual(lstat(directory + "/krbdir/bbbbbbbbbb", &status), 0)
        XCTAssertEqual(status.st_mode & 0o7777, 0o711, "a lease's gMSA directories cannot be listed")
    }
}

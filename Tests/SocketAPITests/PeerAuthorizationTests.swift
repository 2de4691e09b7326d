@testable import CredentialGuard
import CredSpec
import Foundation
import Kerberos
import Logging
@testable import SocketAPI
import XCTest

/// The authorization model through the socket: a non-root peer (uid 65534, allowed to connect)
/// against a lease root created.
final class PeerAuthorizationTests: XCTestCase {
    private var directory = ""
    private var server: APIServer?
    private var socket: String { directory + "/api.sock" }
    private let rootLease = LeaseID()

    private static let spec = """
        {"CmsPlugins": ["ActiveDirectory"],
         "DomainJoinConfig": {"Sid": "S-1-5-21-1-2-3", "MachineAccountName": "WebApp01", "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                              "DnsTreeName": "contoso.test", "DnsName": "contoso.test", "NetBiosName": "CONTOSO"},
         "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [{"Name": "WebApp01", "Scope": "contoso.test"}],
           "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", "PluginInput": "/x"}}}
        """

    /// A source whose fetches fail: restored leases stay, without files, as after a DC outage.
    private struct Unreachable: AccountSource {
        struct Down: Error {}
        func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] { throw Down() }
        func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials { throw Down() }
    }

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "/ccgd-authz-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/run/leases", withIntermediateDirectories: true)
        // Root's lease, as the journal keeps it.
        let journal = LeaseJournal(directory: directory + "/state")
        _ = try journal.open()
        try await journal.append(.created(LeaseRecord(
            id: rootLease, credentialSpec: Self.spec, credentialSpecName: nil, owner: LeaseOwner(uid: 0, gid: 0), containerID: nil,
            mountPath: "/var/run/ccgd", createdAt: Date(), creator: 0)))
        let keeper = LeaseKeeper(
            settings: .init(runtimeDirectory: directory + "/run", journal: journal, credSpecs: CredSpecDirectory(path: directory)) { realm, _ in
                KerberosConfiguration(defaultRealm: realm, realms: [])
            },
            source: Unreachable())
        try await keeper.restore()
        var settings = APIServer.Settings(socketPath: socket, policy: PeerPolicy(allowedUIDs: [0, ForeignPeer.uid], allowedGIDs: []))
        settings.socketMode = 0o666
        server = try await APIServer.start(settings, router: APIRouter(keeper: keeper, health: ControllerHealth()), logger: Logger(label: "test"))
    }

    override func tearDown() async throws {
        await server?.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func code(_ body: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    private func field(_ body: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (object?["error"] as? [String: Any])?["field"] as? String
    }

    func testAnotherPeersLeaseIsNotFoundForEveryRoute() async throws {
        let path = "/v1/leases/\(rootLease.value)"
        for (method, route) in [("GET", path), ("GET", path + "/keytab"), ("DELETE", path)] {
            let answer = try ForeignPeer.curl(socket, method, route)
            XCTAssertEqual(answer.status, 404, "\(method) \(route): \(answer.body)")
            XCTAssertEqual(code(answer.body), "not_found", "\(method) \(route)")
            XCTAssertEqual(answer.body, try ForeignPeer.curl(socket, method, route.replacingOccurrences(of: rootLease.value, with: LeaseID().value)).body
                .replacingOccurrences(of: #"l_[A-Za-z0-9_-]+"#, with: rootLease.value, options: .regularExpression),
                           "the same answer as for an id that does not exist")
        }
        let list = try ForeignPeer.curl(socket, "GET", "/v1/leases")
        XCTAssertEqual(list.status, 200)
        XCTAssertFalse(list.body.contains(rootLease.value), list.body)
        // Root still has it: the DELETE above did nothing.
        let asRoot = try await APIClient(socketPath: socket).send(.GET, path)
        XCTAssertEqual(asRoot.status, 200, asRoot.text)
        let all = try await APIClient(socketPath: socket).send(.GET, "/v1/leases").text
        XCTAssertTrue(all.contains(rootLease.value), all)
    }

    func testNonRootPeerMayNotCreateALeaseForAnotherOwner() throws {
        let answer = try ForeignPeer.curl(socket, "POST", "/v1/leases", body: #"{"credentialSpecName": "WebApp01", "owner": {"uid": 0, "gid": 65534}}"#)
        XCTAssertEqual(answer.status, 403, answer.body)
        XCTAssertEqual(code(answer.body), "forbidden")
        XCTAssertEqual(field(answer.body), "owner.uid")
    }

    func testInlineCredSpecIsRefusedUnlessTurnedOn() async throws {
        let answer = try await APIClient(socketPath: socket).send(.POST, "/v1/leases", body: Array(#"{"credentialSpec": \#(Self.spec)}"#.utf8))
        XCTAssertEqual(answer.status, 403, answer.text)
        XCTAssertEqual(code(answer.text), "credspec.inline_disabled")
        XCTAssertEqual(field(answer.text), "credentialSpec")
    }

    func testOpenRoutesStayOpenToEveryAllowedPeer() throws {
        for route in ["/v1/accounts", "/v1/health", "/metrics"] {
            XCTAssertEqual(try ForeignPeer.curl(socket, "GET", route).status, 200, route)
        }
    }
}

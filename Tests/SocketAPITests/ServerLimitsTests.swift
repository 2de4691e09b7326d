import CoreTestSupport
import CredSpec
import Foundation
import Kerberos
import Logging
import NIOHTTP1
@testable import SocketAPI
import SocketPeers
import TestSupport
import XCTest
import DirectoryPipeline
import LeaseService

/// The server's defences, with small limits: slow and idle clients, too many connections, large bodies.
final class ServerLimitsTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var server: APIServer?

    override func setUp() async throws {
        scratch = try TemporaryDirectory("limits", creating: ["run/leases"])
    }

    override func tearDown() async throws {
        await server?.shutdown()
        scratch?.remove()
    }

    private func start(maximumConnections: Int = 64, adjust: (inout APIServer.Settings) -> Void = { _ in }) async throws -> String {
        try await start(ConnectionLimits(total: maximumConnections, rootReserve: 0, perUID: maximumConnections), adjust: adjust)
    }

    /// A server with `limits`, allowing root and the uids of `others`.
    private func start(_ limits: ConnectionLimits, others: [UInt32] = [], adjust: (inout APIServer.Settings) -> Void = { _ in }) async throws -> String {
        let keeper = LeaseKeeper(
            settings: .init(
                runtimeDirectory: directory + "/run", journal: LeaseJournal(directory: directory + "/state"),
                credSpecs: CredSpecDirectory(path: directory)
            ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) },
            source: FailingAccountSource()) // never asked: these tests never create a lease
        var settings = APIServer.Settings(
            socketPath: directory + "/api.sock",
            policy: PeerPolicy(allowedUIDs: Set([getuid()] + others), allowedGIDs: []))
        settings.idleTimeout = .milliseconds(300)
        settings.requestDeadline = .milliseconds(300)
        settings.connections = limits
        settings.maximumBodySize = 1024
        // The foreign peer (uid 65534) must reach the socket to be refused by the policy.
        settings.socketMode = 0o666
        settings.refusedRequestDeadline = .milliseconds(300)
        adjust(&settings)
        server = try await APIServer.start(
            settings, router: APIRouter(keeper: keeper, health: ControllerHealth()),
            logger: Logger(label: "test"))
        return settings.socketPath
    }

    /// A raw client socket.
    private func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else { throw POSIXError(.ECONNREFUSED) }
        return fd
    }

    private func send(_ fd: Int32, _ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// What the server sends until it closes the connection or `timeout` passes; nil if still open.
    private func readUntilClosed(_ fd: Int32, timeout: TimeInterval) -> String? {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return String(decoding: received, as: UTF8.self) }
            received += buffer[..<n]
        }
        return nil
    }

    func testSlowClientIsCutOffAtTheRequestDeadline() async throws {
        let path = try await start()
        let fd = try connect(path)
        defer { close(fd) }
        send(fd, "POST /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 100\r\n\r\n{\"credentialSpec")
        XCTAssertEqual(readUntilClosed(fd, timeout: 3), "", "closed without an answer once the deadline passed")
    }

    func testIdleConnectionIsClosed() async throws {
        let path = try await start()
        let fd = try connect(path)
        defer { close(fd) }
        send(fd, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\n\r\n")
        let answer = readUntilClosed(fd, timeout: 3)
        XCTAssertTrue(answer?.hasPrefix("HTTP/1.1 200 OK") ?? false, String(describing: answer))
    }

    /// Long deadlines: connections are held by the peers, not by timers.
    private static func patient(_ settings: inout APIServer.Settings) {
        settings.idleTimeout = .seconds(30)
        settings.requestDeadline = .seconds(30)
    }

    private static let health = "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\n\r\n"

    func testConnectionsBeyondTheLimitAreRefusedWithAnAnswerAndTheHeldOnesStillServed() async throws {
        let path = try await start(maximumConnections: 2, adjust: Self.patient)
        // Root, in a process of its own: the test process is "the daemon", whose probe has slots of its own.
        let root = try ForeignPeer.holdConnectionsUntilRefused(path, as: 0, maximum: 10, request: Self.health)
        defer { root.release() }
        XCTAssertEqual(root.held, 2, "each held connection was answered 200")
        let refusal = root.refusal ?? ""
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 429 Too Many Requests"), refusal)
        XCTAssertTrue(refusal.contains(#""code":"connections.exceeded""#), refusal)
        XCTAssertTrue(
            refusal.contains(
                "uid 0 cannot connect: ccgd holds 2 connections, and its max-connections is 2; retry later or raise max-connections in [daemon] of ccgd.conf."),
            refusal)
    }

    // MARK: shares of the connections

    func testAUidOverItsLimitIsRefusedWithAnAnswerNamingItsLimitAndOtherUidsStillConnect() async throws {
        let path = try await start(ConnectionLimits(total: 16, rootReserve: 4, perUID: 3), others: [65534, 65533], adjust: Self.patient)
        let greedy = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65534, maximum: 16, request: Self.health)
        defer { greedy.release() }
        XCTAssertEqual(greedy.held, 3)
        let refusal = greedy.refusal ?? ""
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 429 Too Many Requests"), refusal)
        XCTAssertTrue(refusal.contains("connection: close"), refusal)
        XCTAssertTrue(refusal.contains(#""code":"connections.exceeded""#), refusal)
        XCTAssertTrue(
            refusal.contains(
                "uid 65534 already holds 3 connections to ccgd, and its limit is 3; close some or raise max-connections-per-uid in [daemon] of ccgd.conf."),
            refusal)

        let other = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65533, maximum: 3, request: Self.health)
        defer { other.release() }
        XCTAssertEqual(other.held, 3, "another uid gets its own share")
        XCTAssertNil(other.refusal)
        XCTAssertTrue(
            try ForeignPeer.exchange(path, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\nConnection: close\r\n\r\n", as: 0)
                .hasPrefix("HTTP/1.1 200 OK"), "root is served")
        XCTAssertEqual(server?.shares.held(by: 65534), 3)
    }

    func testPeersOtherThanRootTogetherLeaveRootItsReservedConnections() async throws {
        let path = try await start(ConnectionLimits(total: 8, rootReserve: 3, perUID: 4), others: [65534, 65533], adjust: Self.patient)
        let first = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65534, maximum: 8, request: Self.health)
        defer { first.release() }
        XCTAssertEqual(first.held, 4)
        let second = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65533, maximum: 8, request: Self.health)
        defer { second.release() }
        XCTAssertEqual(second.held, 1, "non-root peers together stop at max-connections less root-reserved-connections")
        XCTAssertTrue(
            second.refusal?.contains(
                "uid 65533 cannot connect: peers other than root hold 5 connections, and max-connections leaves them 5 besides the 3 of root-reserved-connections"
            ) ?? false,
            second.refusal ?? "nil")

        let root = try ForeignPeer.holdConnectionsUntilRefused(path, as: 0, maximum: 8, request: Self.health)
        defer { root.release() }
        XCTAssertEqual(root.held, 3, "root has its reserve")
        XCTAssertTrue(root.refusal?.contains("ccgd holds 8 connections, and its max-connections is 8") ?? false, root.refusal ?? "nil")
    }

    func testTheDaemonsOwnProbeIsServedWhenEveryConnectionIsTaken() async throws {
        let path = try await start(ConnectionLimits(total: 4, rootReserve: 2, perUID: 4), others: [65534], adjust: Self.patient)
        let root = try ForeignPeer.holdConnectionsUntilRefused(path, as: 0, maximum: 8, request: Self.health)
        defer { root.release() }
        XCTAssertEqual(root.held, 4)
        // Another process, even root's, is no probe; nor is a non-root one.
        let other = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65534, maximum: 8, request: Self.health)
        defer { other.release() }
        XCTAssertEqual(other.held, 0)
        XCTAssertTrue(other.refusal?.hasPrefix("HTTP/1.1 429") ?? false, other.refusal ?? "nil")
        // This process is the daemon here: what WatchdogService sends still gets through.
        let probe = try await APIClient(socketPath: path).send(.GET, "/v1/health")
        XCTAssertEqual(probe.status, 200, probe.text)
    }

    func testNewLimitsApplyToNewConnectionsAndKeepTheHeldOnes() async throws {
        let path = try await start(ConnectionLimits(total: 16, rootReserve: 0, perUID: 4), others: [65534], adjust: Self.patient)
        let before = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65534, maximum: 3, request: Self.health)
        defer { before.release() }
        XCTAssertEqual(before.held, 3)
        server?.shares.replace(with: ConnectionLimits(total: 16, rootReserve: 0, perUID: 2))
        let after = try ForeignPeer.holdConnectionsUntilRefused(path, as: 65534, maximum: 3, request: Self.health)
        defer { after.release() }
        XCTAssertEqual(after.held, 0)
        XCTAssertTrue(after.refusal?.contains("uid 65534 already holds 3 connections to ccgd, and its limit is 2") ?? false, after.refusal ?? "nil")
        XCTAssertEqual(server?.shares.held(by: 65534), 3, "the connections held before are kept")
    }

    func testDeclaredLargeBodyIsRefusedBeforeItIsSent() async throws {
        let path = try await start()
        let fd = try connect(path)
        defer { close(fd) }
        send(fd, "POST /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 999999\r\n\r\n")
        let answer = readUntilClosed(fd, timeout: 3) ?? ""
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 413 Payload Too Large"), answer)
        XCTAssertTrue(answer.contains(#""code":"payload_too_large""#), answer)
    }

    func testClientTricklingItsHeadIsCutOffAtTheDeadline() async throws {
        let path = try await start()
        let fd = try connect(path)
        defer { close(fd) }
        send(fd, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\nX-Slow: ")
        // A byte every 50 ms keeps the idle timeout (300 ms) away; the head never ends.
        var closed = false
        for _ in 0..<100 where !closed {
            var byte: UInt8 = 0x61
            if Glibc.send(fd, &byte, 1, Int32(MSG_NOSIGNAL)) != 1 { closed = true; break }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 50) == 1 {
                var buffer = [UInt8](repeating: 0, count: 256)
                if read(fd, &buffer, buffer.count) <= 0 { closed = true }
            }
        }
        XCTAssertTrue(closed, "a head trickled for 5 s outlived the 300 ms request deadline")
    }

    func testPeerThatIsNotAllowedGets403BeforeItsBodyIsRead() async throws {
        let path = try await start()
        // The head announces a body that never comes: the answer cannot wait for it.
        let answer = try ForeignPeer.exchange(path, "POST /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 900\r\n\r\n")
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403 Forbidden"), answer)
        XCTAssertTrue(answer.contains("connection: close"), answer)
        XCTAssertTrue(answer.contains("uid 65534, gid 65534 may not use ccgd; add it to allowed-uids or allowed-gids"), answer)
        XCTAssertFalse(answer.hasSuffix("TIMEOUT"), "the connection is closed after the answer")
    }

    func testConnectionsOfPeersThatAreNotAllowedDoNotTakeTheSlotsOfAllowedOnes() async throws {
        // Long timeouts: only the separate budget can keep the allowed client's slot free.
        let path = try await start(maximumConnections: 4) { settings in
            settings.idleTimeout = .seconds(30)
            settings.requestDeadline = .seconds(30)
            settings.refusedRequestDeadline = .seconds(30)
            settings.maximumRefusedConnections = 2
        }
        let held = try ForeignPeer.holdConnections(path, count: 8)
        defer { held.release() }
        // They connected first; the accept queue hands them to the server first.
        let fd = try connect(path)
        defer { close(fd) }
        send(fd, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\nConnection: close\r\n\r\n")
        let answer = readUntilClosed(fd, timeout: 5) ?? ""
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200 OK"), answer)
        XCTAssertTrue(held.process.isRunning, "the foreign connections were still held")
    }
}

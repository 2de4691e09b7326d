import CredSpec
import CredentialGuard
import Foundation
import Kerberos
import Logging
import NIOHTTP1
@testable import SocketAPI
import XCTest

/// The server's defences, with small limits: slow and idle clients, too many connections, large bodies.
final class ServerLimitsTests: XCTestCase {
    private var directory = ""
    private var server: APIServer?

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "/ccgd-limits-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/run/leases", withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await server?.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A source that is never asked: these tests never create a lease.
    private struct NoSource: AccountSource {
        struct Unused: Error {}
        func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] { throw Unused() }
        func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials { throw Unused() }
    }

    private func start(maximumConnections: Int = 64, adjust: (inout APIServer.Settings) -> Void = { _ in }) async throws -> String {
        let keeper = LeaseKeeper(
            settings: .init(runtimeDirectory: directory + "/run", journal: LeaseJournal(directory: directory + "/state"),
                            credSpecs: CredSpecDirectory(path: directory)) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) },
            source: NoSource())
        var settings = APIServer.Settings(socketPath: directory + "/api.sock", policy: PeerPolicy(allowedUIDs: [getuid()], allowedGIDs: []))
        settings.idleTimeout = .milliseconds(300)
        settings.requestDeadline = .milliseconds(300)
        settings.maximumConnections = maximumConnections
        settings.maximumBodySize = 1024
        // The foreign peer (uid 65534) must reach the socket to be refused by the policy.
        settings.socketMode = 0o666
        settings.refusedRequestDeadline = .milliseconds(300)
        adjust(&settings)
        server = try await APIServer.start(settings, router: APIRouter(keeper: keeper, health: ControllerHealth()),
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

    func testConnectionsBeyondTheLimitAreClosedAndOthersStillServed() async throws {
        let path = try await start(maximumConnections: 2)
        let first = try connect(path), second = try connect(path)
        defer { close(first); close(second) }
        try await Task.sleep(for: .milliseconds(100))
        let third = try connect(path)
        defer { close(third) }
        XCTAssertEqual(readUntilClosed(third, timeout: 2), "", "the third connection is closed at once")
        send(first, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(readUntilClosed(first, timeout: 2)?.hasPrefix("HTTP/1.1 200 OK") ?? false)
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

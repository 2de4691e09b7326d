import Foundation
import SocketPeers
import TestSupport
import XCTest

/// A real ccgd against peers that misuse their connections: one that pipelines requests and
/// reads no answer, and one that holds every connection it may (issue 19, items 2 and 3).
final class ConnectionIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    /// A ccgd that root and the `peers` uids may call, its socket reachable by them.
    private func started(peers: [UInt32], extra: String = "", environment: [String: String] = [:]) throws -> DaemonProcess {
        let daemon = try DaemonProcess(
            domain: try TestDomain.require(),
            extraConfiguration: """
                socket-mode = 0666
                allowed-uids = \((([0] + peers).map(String.init)).joined(separator: ", "))
                \(extra)
                """)
        self.daemon = daemon
        daemon.environment = environment
        chmod(daemon.root, 0o755)
        try daemon.start()
        return daemon
    }

    /// ccgd's resident memory (VmRSS), in bytes.
    static func residentMemory(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    // MARK: a peer that reads no answer

    func testAPeerPipeliningWithoutReadingDoesNotGrowTheDaemonsMemory() async throws {
        let peer: UInt32 = 1000
        let daemon = try started(peers: [peer])
        let pid = try XCTUnwrap(daemon.pid)
        // 100 leases of the peer's own (under a lease quota's default), created on one pipelined
        // connection: each answer to its GET /v1/leases is then about 100 KB, above the 64 KiB mark.
        let count = 100
        let creations = (0..<count).map { index in
            let body = #"{"credentialSpecName": "WebApp01", "containerId": "pipelined-\#(index)"}"#
            return "POST /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                + (index == count - 1 ? "Connection: close\r\n" : "") + "\r\n" + body
        }.joined()
        let created = try ForeignPeer.exchange(daemon.socket, creations, timeout: 60, as: peer)
        XCTAssertEqual(created.components(separatedBy: "HTTP/1.1 201 Created").count - 1, count, String(created.suffix(2000)))
        let list = try ForeignPeer.curl(daemon.socket, "GET", "/v1/leases", as: peer)
        print("each answer to GET /v1/leases: \(list.body.utf8.count) bytes")

        let before = Self.residentMemory(pid)
        let peak = PeakMemory(pid: pid)
        let pipelined = try ForeignPeer.pipelineWithoutReading(
            daemon.socket, "GET /v1/leases HTTP/1.1\r\nHost: ccgd\r\n\r\n",
            seconds: 20, as: peer)
        peak.stop()
        let growth = peak.value - before
        print(
            "ccgd's RSS: \(before / 1_048_576) MB before, \(peak.value / 1_048_576) MB at most while uid \(peer) pipelined \(pipelined.sent) requests without reading"
        )
        XCTAssertGreaterThan(pipelined.sent, 100, "the peer got its requests out")
        XCTAssertLessThan(growth, 64 << 20, "ccgd grew by \(growth / 1_048_576) MB for a peer that reads none of its answers")
        XCTAssertTrue(pipelined.closed, "the peer lost its connection at the request deadline")
        let health = try await daemon.request(.GET, "/v1/health")
        XCTAssertEqual(health.status, 200, "ccgd still serves")
    }

    // MARK: a peer that holds every connection it may

    func testAPeerHoldingAllTheConnectionsItMayLeavesRootTheWatchdogAndOtherPeersServed() async throws {
        let greedy: UInt32 = 1000, other: UInt32 = 1001
        let root = try temporaryDirectory("notify")
        let notify = try SystemdIntegrationTests.NotifySocket(path: root + "/notify.sock")
        // The defaults: 4,096 connections, 32 per non-root uid, 256 for root alone; a probe each 0.5 s.
        let daemon = try started(peers: [greedy, other], environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        XCTAssertTrue(notify.wait(for: "WATCHDOG=1").contains("WATCHDOG=1"), daemon.logText)

        let health = "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\n\r\n"
        let held = try ForeignPeer.holdConnectionsUntilRefused(daemon.socket, as: greedy, maximum: 5000, request: health)
        defer { held.release() }
        print("uid \(greedy) holds \(held.held) connections; then: \(held.refusal?.split(separator: "\r\n").first ?? "none refused")")
        XCTAssertEqual(held.held, 32, "max-connections-per-uid")
        let refusal = held.refusal ?? ""
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 429 Too Many Requests"), refusal)
        XCTAssertTrue(refusal.contains(#""code":"connections.exceeded""#), refusal)
        XCTAssertTrue(
            refusal.contains("uid 1000 already holds 32 connections to ccgd, and its limit is 32; close some or raise max-connections-per-uid"), refusal)

        // While it holds them: another uid, root (a runtime's hook) and the watchdog are served.
        let others = try ForeignPeer.holdConnectionsUntilRefused(daemon.socket, as: other, maximum: 8, request: health)
        defer { others.release() }
        XCTAssertEqual(others.held, 8, "uid \(other) gets its own share: \(others.refusal ?? "")")
        let lease = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(lease.status, 201, lease.text)
        _ = notify.wait(for: "nothing: the pings from before the flood are read and forgotten", timeout: 0.5)
        XCTAssertTrue(notify.wait(for: "WATCHDOG=1", timeout: 10).contains("WATCHDOG=1"), "the watchdog probe still gets through")
        XCTAssertTrue(held.process.isRunning, "the connections were held throughout")

        // A flood of refusals is a line now and then, not one line each.
        for _ in 0..<50 {
            _ = try ForeignPeer.exchange(daemon.socket, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\nConnection: close\r\n\r\n", as: greedy)
        }
        let lines = daemon.logText.split(separator: "\n").filter { $0.contains("connection refused") }
        XCTAssertGreaterThanOrEqual(lines.count, 1)
        XCTAssertLessThanOrEqual(lines.count, 3, lines.joined(separator: "\n"))
    }

    // MARK: the ECS front end's socket

    func testTheECSSocketSharesItsConnectionsByUidToo() async throws {
        let peer: UInt32 = 1000
        let ecs = try temporaryDirectory("ecs-limits", mode: 0o755, creating: ["socket"])
        let daemon = try started(
            peers: [peer],
            extra: """

                [ecs]
                socket = \(ecs)/socket/credentials_fetcher.sock
                socket-mode = 0666
                krb-files-directory = \(ecs)/krbdir
                """)
        let socket = ecs + "/socket/credentials_fetcher.sock"
        // An admitted connection hears the server's HTTP/2 SETTINGS first; a refused one is closed.
        let held = try ForeignPeer.holdConnectionsUntilRefused(socket, as: peer, maximum: 64)
        defer { held.release() }
        XCTAssertEqual(held.held, 32, "max-connections-per-uid (its default) on the ECS socket")
        XCTAssertEqual(held.refusal, "", "closed at once")
        let rootHeld = try ForeignPeer.holdConnectionsUntilRefused(socket, as: 0, maximum: 40)
        defer { rootHeld.release() }
        XCTAssertEqual(rootHeld.held, 40, "root is not held back by another uid's limit")
        XCTAssertTrue(daemon.logText.contains("max-connections-per-uid"), daemon.logText)
    }
}

/// The largest resident memory of a process, sampled every 100 ms on a thread of its own until `stop`.
private final class PeakMemory: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        Thread.detachNewThread { [self] in
            while !lock.withLock({ stopped }) {
                let bytes = ConnectionIntegrationTests.residentMemory(pid)
                lock.withLock { peak = max(peak, bytes) }
                usleep(100_000)
            }
            done.signal()
        }
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    var value: Int { lock.withLock { peak } }
}

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
import Observability

/// What monitoring reads from the server: `/metrics` on the socket and over TCP, refused peers
/// counted, and a wrong method answered as HTTP says.
final class MetricsRouteTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var server: APIServer?
    private var listener: MetricsListener?
    private let metrics = Metrics()

    override func setUp() async throws {
        scratch = try TemporaryDirectory("metrics", creating: ["run/leases"])
    }

    override func tearDown() async throws {
        await listener?.shutdown()
        await server?.shutdown()
        scratch?.remove()
    }

    private func router() -> APIRouter {
        let keeper = LeaseKeeper(
            settings: .init(
                runtimeDirectory: directory + "/run", journal: LeaseJournal(directory: directory + "/state"),
                credSpecs: CredSpecDirectory(path: directory)
            ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) },
            source: FailingAccountSource())
        return APIRouter(keeper: keeper, health: ControllerHealth(), metrics: metrics)
    }

    /// Root (this process) may call; the foreign peer may reach the socket but not use it.
    private func start() async throws -> String {
        var settings = APIServer.Settings(socketPath: directory + "/api.sock", policy: PeerPolicy(allowedUIDs: [getuid()], allowedGIDs: []))
        settings.socketMode = 0o666
        server = try await APIServer.start(settings, router: router(), logger: Logger(label: "test"))
        return settings.socketPath
    }

    private func value(_ series: String) -> String? {
        metrics.rendered().split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    func testAWrongMethodIs405WithTheMethodsTheRouteTakes() async throws {
        let path = try await start()
        let answer = try ForeignPeer.exchange(path, "PUT /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", as: getuid())
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 405 Method Not Allowed"), answer)
        XCTAssertTrue(answer.contains("allow: GET, POST"), answer)
        XCTAssertTrue(answer.contains(#""code":"method_not_allowed""#), answer)
        XCTAssertTrue(answer.contains("PUT is not allowed on /v1/leases, which takes GET and POST"), answer)
        let lease = try ForeignPeer.exchange(path, "POST /v1/leases/l_x HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", as: getuid())
        XCTAssertTrue(lease.hasPrefix("HTTP/1.1 405"), lease)
        XCTAssertTrue(lease.contains("allow: GET, DELETE"), lease)
    }

    func testPeersThatAreNotAllowedAreCounted() async throws {
        let path = try await start()
        XCTAssertEqual(value("ccgd_connections_forbidden_total"), "0", "there from the start")
        for _ in 0..<3 {
            let answer = try ForeignPeer.exchange(path, "GET /v1/health HTTP/1.1\r\nHost: ccgd\r\n\r\n")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), answer)
        }
        XCTAssertEqual(value("ccgd_connections_forbidden_total"), "3")
        XCTAssertEqual(value(#"ccgd_connections_refused_total{limit="max-connections-per-uid"}"#), "0", "every limit's series is there at zero")
    }

    func testMetricsAreServedOverTCPOnLoopbackAndNothingElse() async throws {
        listener = try await MetricsListener.start(host: "127.0.0.1", port: 0, router: router(), logger: Logger(label: "test"))
        let address = try XCTUnwrap(listener?.address)
        XCTAssertTrue(address.hasPrefix("127.0.0.1:"), address)
        let scrape = try Self.get("http://\(address)/metrics")
        XCTAssertEqual(scrape.status, 200)
        XCTAssertTrue(scrape.body.contains("ccgd_build_info{version=\"\(BuildInfo.version)\"} 1"), scrape.body)
        XCTAssertTrue(scrape.body.contains("\nprocess_resident_memory_bytes "), scrape.body)
        XCTAssertTrue(scrape.body.contains("\nccgd_leases 0\n"), scrape.body)
        let other = try Self.get("http://\(address)/v1/health")
        XCTAssertEqual(other.status, 404)
        XCTAssertTrue(other.body.contains("only GET /metrics is served here"), other.body)
    }

    func testABusyPortIsRefusedNamingTheKey() async throws {
        listener = try await MetricsListener.start(host: "127.0.0.1", port: 0, router: router(), logger: Logger(label: "test"))
        let port = try XCTUnwrap(Int(listener?.address.split(separator: ":").last ?? ""))
        do {
            let second = try await MetricsListener.start(host: "127.0.0.1", port: port, router: router(), logger: Logger(label: "test"))
            await second.shutdown()
            XCTFail("a second listener took a busy port")
        } catch {
            XCTAssertTrue("\(error)".hasPrefix("cannot serve metrics on 127.0.0.1:\(port): "), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("choose a free port (and an address of this host) in [metrics] listen, or leave it empty."), "\(error)")
        }
    }

    /// A GET with curl, as a scraper would send it.
    private static func get(_ url: String) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-w", "\n%{http_code}", url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }
}

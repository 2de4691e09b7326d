import Foundation
import XCTest

/// The ECS front end (credentials-fetcher's gRPC protocol) driven by a client that is not ours:
/// Python's grpcio, with code generated from our .proto at test time (ECS/credentials_fetcher_client.py).
final class ECSIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Python with grpcio and grpcio-tools (scripts/test installs them), or a reason to skip.
    private func python() throws -> String {
        let outcome = try Command.run("/usr/bin/env", ["python3", "-c", "import grpc, grpc_tools"])
        guard outcome.status == 0 else {
            let message = "Python's grpcio and grpcio-tools are not installed; run python3 -m pip install grpcio grpcio-tools (scripts/test does)"
            if ProcessInfo.processInfo.environment["CCGD_REQUIRE_TESTDOMAIN"] == "1" { XCTFail(message) }
            throw XCTSkip(message)
        }
        return "python3"
    }

    func testEveryRPCFromAPythonClientAgainstTheTestDomain() throws {
        let domain = try TestDomain.require()
        let python = try python()
        let root = NSTemporaryDirectory() + "/ccgd-ecs-\(UUID().uuidString.prefix(8))"
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: """

            [ecs]
            socket = \(root)/socket/credentials_fetcher.sock
            krb-files-directory = \(root)/krbdir
            """)
        self.daemon = daemon
        defer { try? FileManager.default.removeItem(atPath: root) }
        try daemon.start()

        let outcome = try Command.run("/usr/bin/env", [python, Self.repository + "/Tests/IntegrationTests/ECS/credentials_fetcher_client.py"], environment: [
            "ECS_PROTO": Self.repository + "/Sources/ECSFrontEnd/credentials_fetcher.proto",
            "ECS_SOCKET": root + "/socket/credentials_fetcher.sock",
            "ECS_API_SOCKET": daemon.socket,
            "ECS_KRB_DIR": root + "/krbdir",
            "ECS_KRB5_CONFIG": domain.krb5Config,
            "ECS_SMB_CONF": domain.smbConf,
            "ECS_USER_FILE": domain.allowedCredentialsFile,
            "ECS_CREDSPECS": domain.credSpecDirectory,
        ])
        print(outcome.output)
        XCTAssertEqual(outcome.status, 0, "\(outcome.all)\n--- ccgd's log:\n\(daemon.logText.suffix(6000))")
        XCTAssertTrue(outcome.all.contains("all checks passed"), outcome.all)
        XCTAssertFalse(daemon.logText.contains(try domain.credentials(domain.allowedCredentialsFile).password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }),
                       "the portable user's password reached ccgd's log")
        let journal = try String(contentsOfFile: daemon.state + "/leases.journal", encoding: .utf8)
        XCTAssertFalse(journal.contains(try domain.credentials(domain.allowedCredentialsFile).password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }),
                       "the portable user's password reached the journal")
    }
}

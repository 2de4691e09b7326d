import Foundation
import TestSupport
import XCTest

/// The ECS front end (credentials-fetcher's gRPC protocol) driven by a client that is not ours:
/// Python's grpcio, with code generated from our .proto at test time (ECS/credentials_fetcher_client.py).
final class ECSIntegrationTests: XCTestCase {
    var daemon: DaemonProcess?
    var root = ""

    override func tearDown() {
        daemon?.remove()
        if !root.isEmpty { try? FileManager.default.removeItem(atPath: root) }
    }

    override class func tearDown() {
        PodmanSandbox.removeShared()
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Python with grpcio and grpcio-tools (scripts/test installs them), or a reason to skip.
    static func requirePython() throws {
        let outcome = try Command.run("/usr/bin/env", ["python3", "-c", "import grpc, grpc_tools"])
        guard outcome.status == 0 else {
            let message =
                "the python3 on PATH has no grpcio and grpcio-tools; scripts/test installs them in the checkout's .venv-tests and puts that first on PATH"
            throw missingRequirement(message)
        }
    }

    /// A ccgd with an [ecs] section (and `ecsConfiguration` in it), started; `joined`: the test
    /// domain's computer CCGDJOINED01 (in the gMSAs' readers group) is this host's join, with
    /// `mode = domain-joined`.
    func started(
        controllerAddress: String = "127.0.0.1", joined: Bool = false, logLevel: String = "debug",
        daemonConfiguration: String = "", ecsConfiguration: String = ""
    ) throws -> DaemonProcess {
        let domain = try TestDomain.require()
        try Self.requirePython()
        root = NSTemporaryDirectory() + "/ccgd-ecs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var joinedDomain = ""
        if joined {
            let keytab = root + "/joined.keytab"
            try domain.prepareComputer(TestDomain.joinedComputer, inReadersGroup: true, keytab: keytab)
            joinedDomain = """

                [domain "\(domain.realm)"]
                controllers = \(domain.controller.hostName)=\(controllerAddress)
                mode = domain-joined
                machine-keytab = \(keytab)
                machine-principal = \(domain.computerPrincipal(TestDomain.joinedComputer))
                """
        }
        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """
                \(daemonConfiguration)

                [ecs]
                socket = \(root)/socket/credentials_fetcher.sock
                krb-files-directory = \(root)/krbdir
                \(ecsConfiguration)
                """, domainSection: !joined, controllerAddress: controllerAddress, pluginsConfiguration: joinedDomain, logLevel: logLevel)
        self.daemon = daemon
        try daemon.start()
        return daemon
    }

    /// Runs the Python client in `mode`; fails the test with its output and ccgd's log unless every check passed.
    func client(
        _ daemon: DaemonProcess, mode: String, environment: [String: String] = [:], file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let outcome = try Self.runClient(
            daemon, mode: mode, socket: root + "/socket/credentials_fetcher.sock", krbDirectory: root + "/krbdir",
            state: stateFile, environment: environment)
        print(outcome.output)
        XCTAssertEqual(outcome.status, 0, "\(outcome.all)\n--- ccgd's log:\n\(daemon.logText.suffix(6000))", file: file, line: line)
        XCTAssertTrue(outcome.output.contains("all checks passed"), outcome.all, file: file, line: line)
    }

    /// Where the Python client keeps what one mode tells the next (lease ids, directories).
    var stateFile: String { root + "/client-state.json" }
    var krbDirectory: String { root + "/krbdir" }

    /// The Python client (ECS/credentials_fetcher_client.py) in `mode` against `daemon`'s ECS socket `socket`.
    static func runClient(
        _ daemon: DaemonProcess, mode: String, socket: String, krbDirectory: String, state: String,
        environment: [String: String] = [:]
    ) throws -> Command.Outcome {
        let domain = daemon.domain
        return try Command.run(
            "/usr/bin/env", ["python3", repository + "/Tests/IntegrationTests/ECS/credentials_fetcher_client.py"],
            environment: [
                "ECS_MODE": mode,
                "ECS_PROTO": repository + "/Sources/ECSFrontEnd/credentials_fetcher.proto",
                "ECS_SOCKET": socket,
                "ECS_API_SOCKET": daemon.socket,
                "ECS_KRB_DIR": krbDirectory,
                "ECS_KRB5_CONFIG": domain.krb5Config,
                "ECS_SMB_CONF": domain.smbConf,
                "ECS_USER_FILE": domain.allowedCredentialsFile,
                "ECS_OUTSIDER_FILE": domain.outsiderCredentialsFile,
                "ECS_CREDSPECS": domain.credSpecDirectory,
                "ECS_STATE_FILE": state,
            ].merging(environment) { $1 })
    }

    private func password(_ domain: TestDomain) throws -> String {
        try domain.credentials(domain.allowedCredentialsFile).password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    func testEveryRPCFromAPythonClientAgainstTheTestDomain() throws {
        let daemon = try started(logLevel: "trace")
        try client(daemon, mode: "main")
        let password = try password(daemon.domain)
        let spellings = [password, Data(password.utf8).base64EncodedString()]
        for spelling in spellings {
            XCTAssertFalse(daemon.logText.contains(spelling), "the portable user's password reached ccgd's log")
        }
        // Every file of the state directory: the journal and anything beside it.
        for name in try FileManager.default.contentsOfDirectory(atPath: daemon.state) {
            let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: daemon.state + "/" + name))) ?? Data(), as: UTF8.self)
            for spelling in spellings { XCTAssertFalse(text.contains(spelling), "the portable user's password reached \(name)") }
        }
    }

    /// The agent's passwords serve its own requests only: once root's agent provided one, an inline
    /// CredSpec sent to the socket API naming the ECS front end's plug-in and that password's input
    /// (caller 0) is refused — to root, so to anyone — and no lease is made.
    func testTheAgentsPasswordsServeTheECSFrontEndOnly() async throws {
        let daemon = try started(daemonConfiguration: "allow-inline-credspecs = yes")
        try client(daemon, mode: "before-restart")
        let user = try daemon.domain.credentials(daemon.domain.allowedCredentialsFile)
        let spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any])
        var directory = try XCTUnwrap(object["ActiveDirectoryConfig"] as? [String: Any])
        directory["HostAccountConfig"] = [
            "PortableCcgVersion": "1", "PluginGUID": "{3F6B1E2A-7C94-4D05-8A1E-5B2C9D7E4F18}",
            "PluginInput": "ecs:0:\(daemon.domain.dnsDomain.lowercased())\\\(user.user.lowercased())",
        ]
        object["ActiveDirectoryConfig"] = directory
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["credentialSpec": object]), as: UTF8.self)
        let before = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        let (status, answer, text) = try await daemon.request(.POST, "/v1/leases", json: body)
        XCTAssertEqual(status, 403, text)
        XCTAssertEqual(apiError(answer).code, "forbidden", text)
        XCTAssertTrue(apiError(answer).message.contains("3F6B1E2A-7C94-4D05-8A1E-5B2C9D7E4F18"), text)
        let after = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        XCTAssertEqual(after?.count, before?.count, "no lease was made through the agent's password")
    }

    /// The journal has no password: after a restart the lease comes back with its files, and the
    /// agent's renewal brings the password that refreshes it.
    func testALeaseSurvivesARestartAndIsRefreshedByTheAgentsRenewal() throws {
        let daemon = try started()
        try client(daemon, mode: "before-restart")
        XCTAssertFalse(try String(contentsOfFile: daemon.state + "/leases.journal", encoding: .utf8).contains(try password(daemon.domain)))
        XCTAssertEqual(daemon.stop(), 0)
        // What a crash between a deletion's record and its files leaves: a lease id no record
        // knows, its gMSA directory with keys in it. A name that is no lease id is not ccgd's.
        let fileManager = FileManager.default
        let orphan = root + "/krbdir/zzzzzzzzz0"
        try fileManager.createDirectory(atPath: orphan + "/WebApp01", withIntermediateDirectories: true)
        try Data("keys".utf8).write(to: URL(fileURLWithPath: orphan + "/WebApp01/krb5.keytab"))
        try fileManager.createDirectory(atPath: root + "/krbdir/not-a-lease", withIntermediateDirectories: true)
        let leasesBefore = try fileManager.contentsOfDirectory(atPath: root + "/krbdir").filter { $0 != "zzzzzzzzz0" && $0 != "not-a-lease" }
        XCTAssertFalse(leasesBefore.isEmpty)
        try daemon.start()
        XCTAssertFalse(fileManager.fileExists(atPath: orphan), "a deleted lease's directory is removed at start-up")
        XCTAssertTrue(fileManager.fileExists(atPath: root + "/krbdir/not-a-lease"), "what is not a lease's is left alone")
        for lease in leasesBefore { XCTAssertTrue(fileManager.fileExists(atPath: root + "/krbdir/" + lease), "lease \(lease) kept") }
        try client(daemon, mode: "after-restart")
    }

    /// On a host joined to the domain (`mode = domain-joined`), AddKerberosLease reads the gMSA
    /// with the host's computer account: the returned directory's ticket cache gets a service
    /// ticket, and the journal keeps no HostAccountConfig of the agent's CredSpec.
    func testAddKerberosLeaseReadsWithTheHostsComputerAccount() throws {
        let daemon = try started(joined: true)
        try client(daemon, mode: "domain-joined")
        let journal = try String(contentsOfFile: daemon.state + "/leases.journal", encoding: .utf8)
        XCTAssertTrue(journal.contains("WebApp01"), journal)
        XCTAssertFalse(journal.lowercased().contains("hostaccountconfig"), journal)
    }

    /// The API's allow-list, reloaded with SIGHUP, applies to the ECS socket too.
    func testAPeerOutsideTheAllowListIsRefused() throws {
        let daemon = try started()
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try text.replacingOccurrences(of: "[daemon]\n", with: "[daemon]\nallowed-uids = 4242\n")
            .write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<200 where !daemon.logText.contains("configuration reloaded") { usleep(50_000) }
        XCTAssertTrue(daemon.logText.contains("configuration reloaded"), daemon.logText)
        try client(daemon, mode: "refused")
    }

    /// credentials-fetcher's blue/green rotation: two real portable users in the readers group;
    /// leases made through blue, a lease made during the rotation (`blue:green` in Add) through
    /// green, then `blue:green` in Renew moves blue's leases to green while every ticket cache
    /// keeps working, after which blue's password is no longer held (the metric), blue can leave
    /// the domain, and a restart finds the leases green's (the journal followed).
    func testABlueGreenRotationMovesTheLeasesToTheNewUserWhileTheyWork() throws {
        let daemon = try started()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let blue = (name: "EcsBlue\(suffix)", password: "Blue-\(UUID().uuidString.prefix(12))9a!")
        let green = (name: "EcsGreen\(suffix)", password: "Green-\(UUID().uuidString.prefix(12))9a!")
        let domain = daemon.domain
        for user in [blue, green] {
            try domain.run(["samba-tool", "user", "add", user.name, user.password, "-s", domain.smbConf])
            addTeardownBlock { _ = try? domain.run(["samba-tool", "user", "delete", user.name, "-s", domain.smbConf]) }
            try domain.run(["samba-tool", "group", "addmembers", domain.readersGroup, user.name, "-s", domain.smbConf])
        }
        let users = ["ECS_BLUE": "\(blue.name):\(blue.password)", "ECS_GREEN": "\(green.name):\(green.password)"]
        try client(daemon, mode: "rotation", environment: users)
        print(daemon.logText.split(separator: "\n").filter { $0.contains("portable user") }.joined(separator: "\n"))
        XCTAssertTrue(daemon.logText.contains("ECS leases moved to another portable user"), daemon.logText)
        XCTAssertTrue(daemon.logText.contains("a former portable user's password is dropped"), daemon.logText)
        XCTAssertEqual(daemon.stop(), 0)
        try daemon.start()
        try client(daemon, mode: "rotation-after-restart", environment: users)
        for password in [blue.password, green.password] {
            XCTAssertFalse(daemon.logText.contains(password), "a portable user's password reached ccgd's log")
            for name in try FileManager.default.contentsOfDirectory(atPath: daemon.state) {
                let text = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: daemon.state + "/" + name))) ?? Data(), as: UTF8.self)
                XCTAssertFalse(text.contains(password), "a portable user's password reached \(name)")
            }
        }
    }

    /// A reload gives the leases made afterwards the new owner and mode; those made before keep
    /// theirs, journaled: a restart and the agent's renewal write their files with them again.
    func testAReloadGivesLeasesMadeAfterwardsTheNewOwnerAndARestartKeepsEachLeasesOwn() throws {
        let daemon = try started(ecsConfiguration: "lease-uid = 1000\nlease-gid = 1000")
        func directories() throws -> [String] {
            let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stateFile))) as? [String: Any]
            return try XCTUnwrap(state?["directories"] as? [String])
        }
        try client(daemon, mode: "task-lease")
        let before = try directories()[0]
        XCTAssertEqual(Self.ownership(before), "1000:1000 700")

        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try text.replacingOccurrences(of: "lease-uid = 1000\nlease-gid = 1000", with: "lease-uid = 1001\nlease-gid = 4000\nlease-mode = group")
            .write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<200 where !daemon.logText.contains("configuration reloaded") { usleep(50_000) }
        XCTAssertTrue(daemon.logText.contains("configuration reloaded"), daemon.logText)
        XCTAssertFalse(daemon.logText.contains("[ecs] changes only with a restart"), daemon.logText)
        try client(daemon, mode: "task-lease")
        let after = try directories()[0]
        XCTAssertEqual(Self.ownership(after), "1001:4000 750")
        XCTAssertEqual(Self.ownership(after + "/krb5cc"), "1001:4000 640")
        XCTAssertEqual(Self.ownership(before), "1000:1000 700", "a lease made before keeps its owner")

        // Modes lost while ccgd is down come back from the journal once the files are written again.
        XCTAssertEqual(daemon.stop(), 0)
        for path in [after, after + "/krb5cc", after + "/krb5.keytab"] { XCTAssertEqual(chmod(path, 0o700), 0, path) }
        try daemon.start()
        try client(daemon, mode: "renew")
        XCTAssertEqual(Self.ownership(after), "1001:4000 750")
        for name in ["krb5cc", "krb5.keytab", "krb5.conf"] { XCTAssertEqual(Self.ownership(after + "/" + name), "1001:4000 640", name) }
        XCTAssertEqual(Self.ownership(before + "/krb5cc"), "1000:1000 600")
    }

    func testADomainControllerThatDoesNotAnswerGivesUnavailable() throws {
        // 127.0.0.2: nothing listens there (see the brief's loopback list).
        let daemon = try started(controllerAddress: "127.0.0.2")
        try client(daemon, mode: "unreachable")
    }
}

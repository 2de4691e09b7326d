import Foundation
import NIOHTTP1
import SocketAPI
import TestSupport
import XCTest

/// ccgd under faults, as a real daemon against the test domain: its DC gone and back, killed
/// in the middle of a flood of requests, plug-ins that misbehave, file systems that fill up.
final class FaultIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?
    private var mounts: [String] = []
    private var proxy: ControllerProxy?

    override func tearDown() {
        daemon?.stop()
        proxy?.stop()
        for mount in mounts.reversed() { umount2(mount, Int32(MNT_DETACH)) }
        daemon?.remove()
    }

    private func started(_ extra: String = "", controllerAddress: String = "127.0.0.1") throws -> DaemonProcess {
        let daemon = try DaemonProcess(domain: try TestDomain.require(), extraConfiguration: extra, controllerAddress: controllerAddress)
        self.daemon = daemon
        try daemon.start()
        return daemon
    }

    private func account(_ daemon: DaemonProcess, _ name: String) async throws -> [String: Any]? {
        let accounts = try await daemon.request(.GET, "/v1/accounts").object["accounts"] as? [[String: Any]] ?? []
        return accounts.first { ($0["account"] as? String)?.lowercased() == name.lowercased() }
    }

    /// Polls `condition` every 200 ms for up to `seconds`.
    private func eventually(_ seconds: Double, _ what: String, _ condition: () async throws -> Bool) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        XCTFail("not within \(seconds) s: \(what)")
    }

    // MARK: the DC goes away

    /// The daemon reaches the DC through a forwarder on 127.0.0.3 (KDC and LDAP) that the test
    /// stops and starts: to ccgd that is the DC going down and coming back, and the shared test
    /// DC keeps serving the other tests.
    func testCachedAccountsAreServedWhileTheDCIsDownAndRecoverWithinOneRetry() async throws {
        let proxy = try ControllerProxy(address: "127.0.0.3", target: "127.0.0.1", ports: [88, 389])
        self.proxy = proxy
        // Short tickets and retries, so that a refresh falls due within the test (30 s). Samba's
        // KDC refuses service tickets for a TGT of less than 5 minutes: no shorter.
        let daemon = try started(
            """
            [refresh]
            ticket-lifetime = 5m
            ticket-renewal = 10%
            retry = 1s
            retry-maximum = 4s
            """, controllerAddress: "127.0.0.3")
        let first = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let directory = try XCTUnwrap(first["directory"] as? String)
        try proxy.stopForwarding()

        // Leases of the cached account are still served; an account never fetched cannot be.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let (status, object, _) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp02"}"#)
        XCTAssertEqual(status, 503)
        XCTAssertEqual(apiError(object).code, "directory.unreachable", "\(object)")

        // The ticket refresh fails: the account goes stale, health says degraded, files stay.
        let keytab = try Data(contentsOf: URL(fileURLWithPath: directory + "/krb5.keytab"))
        try await eventually(60, "the refresh failed and the account is stale") {
            (try await account(daemon, "WebApp01$"))?["state"] as? String == "stale"
        }
        let health = try await daemon.request(.GET, "/v1/health").object
        XCTAssertEqual(health["status"] as? String, "degraded")
        let stale = try await account(daemon, "WebApp01$")
        XCTAssertFalse((stale?["lastError"] as? String ?? "").isEmpty)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/krb5.keytab")), keytab, "the lease keeps its files")

        // Retries back off (1 s, 2 s, 4 s, 4 s…) rather than hammer the DC.
        let failuresBefore = try await daemon.metric("ccgd_refresh_failures_total") ?? 0
        try await Task.sleep(for: .seconds(8))
        let failures = (try await daemon.metric("ccgd_refresh_failures_total") ?? 0) - failuresBefore
        XCTAssertGreaterThanOrEqual(failures, 1, "the refresh is retried")
        XCTAssertLessThanOrEqual(failures, 6, "retries back off")

        // The DC comes back: within one retry period (at most 4 s, with jitter) all is fresh.
        try proxy.startForwarding()
        try await eventually(10, "the account is fresh again") {
            (try await account(daemon, "WebApp01$"))?["state"] as? String == "fresh"
        }
        let recovered = try await daemon.request(.GET, "/v1/health").object
        XCTAssertEqual(recovered["status"] as? String, "ok", "\(recovered)")
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
        let cache = ["KRB5CCNAME": "FILE:\(directory)/krb5cc"]
        try daemon.domain.run(["kvno", "host/webapp01.\(daemon.domain.dnsDomain)@\(daemon.domain.realm)"], environment: cache)
    }

    // MARK: kill -9 in the middle of a flood

    func testKillDuringConcurrentCreationsLosesNoAcknowledgedLease() async throws {
        let daemon = try started()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#) // the account is cached
        let client = daemon.client
        for round in 1...10 {
            let acknowledged = AcknowledgedLeases()
            let victim = try XCTUnwrap(daemon.pid)
            // In the middle of the flood: once a random number of leases have been acknowledged.
            let killAt = Int.random(in: 20...150)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        guard let response = try? await client.send(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "WebApp01"}"#.utf8)),
                            response.status == 201,
                            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                            let id = object["id"] as? String
                        else { return }
                        if acknowledged.add(id) == killAt { kill(victim, SIGKILL) }
                    }
                }
                try await group.waitForAll()
            }
            XCTAssertLessThan(acknowledged.ids.count, 200, "round \(round): the kill came after the flood")
            daemon.crash()
            try daemon.start()
            let listed = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
            let present = Set(listed.compactMap { $0["id"] as? String })
            let lost = acknowledged.ids.subtracting(present)
            XCTAssertTrue(lost.isEmpty, "round \(round): acknowledged leases lost after kill -9: \(lost.sorted().prefix(5))")
            // Every lease there is whole: its three files, nothing half-written beside them.
            let leasesDirectory = daemon.runtime + "/leases"
            let directories = try FileManager.default.contentsOfDirectory(atPath: leasesDirectory)
            XCTAssertEqual(Set(directories), present, "round \(round): lease directories and leases differ")
            for name in directories {
                let files = Set(try FileManager.default.contentsOfDirectory(atPath: leasesDirectory + "/" + name))
                XCTAssertEqual(files, ["krb5.keytab", "krb5cc", "krb5.conf"], "round \(round): \(name) holds \(files)")
            }
            let stateFiles = try FileManager.default.contentsOfDirectory(atPath: daemon.state)
            XCTAssertFalse(stateFiles.contains { $0.contains(".tmp-") || $0.contains("damaged") }, "\(stateFiles)")
            // A lease acknowledged before the kill still works with the KDC.
            if let id = acknowledged.ids.first {
                let directory = leasesDirectory + "/" + id
                try daemon.domain.run(
                    ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(daemon.domain.realm)"],
                    environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit-\(round).cc"])
            }
            // Start the next round clean, so that restarts stay quick.
            for id in present { _ = try await daemon.request(.DELETE, "/v1/leases/\(id)") }
        }
    }

    // MARK: plug-ins that misbehave

    func testMisbehavingPluginsGiveClearErrorsAndTheDaemonKeepsServing() async throws {
        let domain = try TestDomain.require()
        let plugins = try temporaryDirectory("fault-plugins", mode: 0o755)
        let pids = plugins + "/pids"
        let behaviours: [(name: String, guid: String, script: String, code: String)] = [
            ("hang", "7E0A3C1D-0000-4000-8000-000000000001", "echo $$ >> \(pids); sleep 600", "plugin.timeout"),
            ("crash", "7E0A3C1D-0000-4000-8000-000000000002", "kill -SEGV $$", "plugin.failed"),
            ("flood", "7E0A3C1D-0000-4000-8000-000000000003", "head -c 50000000 /dev/zero | tr '\\\\0' x", "plugin.failed"),
            ("garbage", "7E0A3C1D-0000-4000-8000-000000000004", "printf '{\"domainName\": 7, \"username\": [}'", "plugin.failed"),
        ]
        var sections = ""
        for plugin in behaviours {
            let path = plugins + "/" + plugin.name
            try "#!/bin/sh\ncat >/dev/null\n\(plugin.script)\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
            sections += "\n[plugin \"{\(plugin.guid)}\"]\nexecutable = \(path)\n"
        }
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: sections, pluginsConfiguration: "directory = \(plugins)\ntimeout = 1s")
        self.daemon = daemon
        // One named CredSpec per plug-in: WebApp01's, with the plug-in's GUID.
        let template = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        let guid = try XCTUnwrap(
            template.range(
                of: #"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#,
                options: .regularExpression, range: template.range(of: "PluginGUID")!.upperBound..<template.endIndex))
        for plugin in behaviours {
            try template.replacingCharacters(in: guid, with: plugin.guid)
                .write(toFile: daemon.credSpecs + "/Broken-\(plugin.name).json", atomically: true, encoding: .utf8)
        }
        try daemon.start()
        let pid = daemon.pid
        let good = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let goodDirectory = try XCTUnwrap(good["directory"] as? String)
        let goodKeytab = try Data(contentsOf: URL(fileURLWithPath: goodDirectory + "/krb5.keytab"))

        for plugin in behaviours {
            let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Broken-\#(plugin.name)"}"#)
            let error = apiError(object)
            XCTAssertEqual(error.code, plugin.code, "\(plugin.name): \(status) \(text)")
            XCTAssertTrue(status == 502 || status == 504, "\(plugin.name): \(status)")
            XCTAssertFalse(error.message.isEmpty)
            XCTAssertFalse(error.message.contains("xxxxxxxxxx"), "\(plugin.name): the plug-in's output reached the answer")
            XCTAssertLessThan(error.message.count, 600, "\(plugin.name): one sentence, not a dump")
        }
        // The hung plug-in was ended, not left behind.
        for line in (try? String(contentsOfFile: pids, encoding: .utf8))?.split(separator: "\n") ?? [] {
            if let child = Int32(line) { XCTAssertNotEqual(kill(child, 0), 0, "the hung plug-in \(child) still runs") }
        }
        XCTAssertEqual(daemon.pid, pid)
        let health = try await daemon.request(.GET, "/v1/health")
        XCTAssertEqual(health.status, 200)
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
        XCTAssertEqual(leases.count, 1, "no lease lost, none half-made")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: goodDirectory + "/krb5.keytab")), goodKeytab)
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
    }

    // MARK: connection floods

    /// 1,000 idle connections, clients that trickle a head or a body, and a peer that is not
    /// allowed opening connections as fast as it can: an allowed client is still served.
    func testFloodsOfConnectionsDoNotStopAnAllowedClient() async throws {
        let daemon = try started("socket-mode = 0666")
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        chmod(daemon.root, 0o755) // the other peer must reach the socket to be refused by ccgd itself

        // A peer ccgd does not allow (uid 65534), flooding for as long as the test runs.
        let flood = Process()
        flood.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        flood.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
            """
            import socket, sys, time
            held, made = [], 0
            end = time.time() + 60
            while time.time() < end:
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.settimeout(1)
                    s.connect(sys.argv[1])
                    s.send(b"POST /v1/leases HTTP/1.1\\r\\nHost: ccgd\\r\\nContent-Length: 1000000\\r\\n")
                    held.append(s)
                    made += 1
                except OSError:
                    time.sleep(0.001)
                if len(held) > 500:
                    for s in held[:100]: s.close()
                    del held[:100]
            """, daemon.socket,
        ]
        let floodLog = daemon.root + "/flood.log"
        _ = FileManager.default.createFile(atPath: floodLog, contents: nil)
        flood.standardOutput = FileHandle.nullDevice
        flood.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: floodLog))
        try flood.run()
        defer { kill(flood.processIdentifier, SIGKILL) }

        // Allowed peers (this process is root): 1,000 idle connections and 40 slow clients.
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for index in 0..<1040 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: daemon.socket.utf8 + [0]) }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            XCTAssertEqual(connected, 0, "connection \(index)")
            if index >= 1000 {
                // Half trickle a head, half a body; neither ever finishes.
                let partial = index % 2 == 0 ? "GET /v1/hea" : "POST /v1/leases HTTP/1.1\r\nHost: ccgd\r\nContent-Length: 1000000\r\n\r\n{\"cred"
                _ = partial.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            }
            held.append(fd)
        }

        // Meanwhile an allowed client gets every answer.
        let client = daemon.client
        let started = ContinuousClock.now
        for _ in 0..<5 {
            let health = try await client.send(.GET, "/v1/health")
            XCTAssertEqual(health.status, 200)
            let lease = try await client.send(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "WebApp01"}"#.utf8))
            XCTAssertEqual(lease.status, 201, lease.text)
        }
        print("allowed client under the flood: 10 requests in \(ContinuousClock.now - started)")
        XCTAssertTrue(flood.isRunning, "the flood ran throughout: \((try? String(contentsOfFile: floodLog, encoding: .utf8)) ?? "")")
    }

    // MARK: full file systems

    private func mountSmallFileSystem(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(size),mode=0755") == 0 else {
            throw XCTSkip("cannot mount a tmpfs at \(path) (errno \(errno)); a full file system needs root")
        }
        mounts.append(path)
    }

    /// Fills the file system of `directory` with a file of its own, returned for removal.
    private func fill(_ directory: String) -> String {
        let filler = directory + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 0x55, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return filler
    }

    /// Leases never take the last of the runtime directory's file system (a /run shared with
    /// systemd and other daemons): below the reserve a lease is refused before anything is asked.
    func testARuntimeFileSystemDownToItsReserveRefusesLeasesBeforeAnyFetch() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "runtime-reserve = 50%")
        self.daemon = daemon
        try mountSmallFileSystem(at: daemon.runtime, size: "512k")
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        // 300 KiB of 512: less than half is free.
        let filler = daemon.runtime + "/filler"
        XCTAssertTrue(FileManager.default.createFile(atPath: filler, contents: Data(repeating: 0x55, count: 300 * 1024)))
        let fetches = try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#)
        let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp02"}"#)
        XCTAssertEqual(status, 507, text)
        XCTAssertEqual(apiError(object).code, "storage.full")
        XCTAssertTrue(apiError(object).message.contains(daemon.runtime + "/leases") && apiError(object).message.contains("50%"), text)
        let after = try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#)
        XCTAssertEqual(after, fetches, "no DC was asked for a lease that could not be stored")
        unlink(filler)
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
    }

    /// With no reserve the writes themselves fail: refused clearly, nothing half made, nothing lost.
    func testAFullRuntimeFileSystemRefusesLeasesClearlyAndLosesNone() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "runtime-reserve = 0%")
        self.daemon = daemon
        try mountSmallFileSystem(at: daemon.runtime, size: "512k")
        try daemon.start()
        let kept = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let keptDirectory = try XCTUnwrap(kept["directory"] as? String)
        let filler = fill(daemon.runtime)

        let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(status, 503, text)
        XCTAssertEqual(apiError(object).code, "storage.unavailable")
        XCTAssertTrue(apiError(object).message.contains("No space left on device"), text)
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
        XCTAssertEqual(leases.count, 1)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: daemon.runtime + "/leases"), [URL(fileURLWithPath: keptDirectory).lastPathComponent],
            "the refused lease left no directory")

        unlink(filler)
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        daemon.stop()
        try daemon.start()
        let restored = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
        XCTAssertEqual(restored.count, 2)
        try domain.run(
            ["kinit", "-k", "-t", keptDirectory + "/krb5.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"])
    }

    func testAFullStateFileSystemRefusesLeasesClearlyAndKeepsTheJournalWhole() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        self.daemon = daemon
        try mountSmallFileSystem(at: daemon.state, size: "64k")
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let filler = fill(daemon.state)

        var refused = 0
        for _ in 0..<40 { // the journal's last page may take a few before it is full
            let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
            if status == 201 { continue }
            XCTAssertEqual(status, 503, text)
            XCTAssertEqual(apiError(object).code, "storage.unavailable", text)
            refused += 1
        }
        XCTAssertGreaterThan(refused, 0, "a full state file system must refuse leases")
        let listed = Set((try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        XCTAssertEqual(
            Set(try FileManager.default.contentsOfDirectory(atPath: daemon.runtime + "/leases")), listed,
            "a refused lease leaves no directory")

        unlink(filler)
        let after = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        daemon.stop()
        try daemon.start()
        let restored = Set((try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        XCTAssertEqual(restored, listed.union([after["id"] as? String ?? ""]))
        XCTAssertFalse(
            try FileManager.default.contentsOfDirectory(atPath: daemon.state).contains { $0.contains("damaged") },
            "no partial line was left in the journal")
    }
}

/// Lease ids answered 201, from many tasks.
private final class AcknowledgedLeases: @unchecked Sendable {
    private let lock = NSLock()
    private var set: Set<String> = []
    /// Adds `id` and returns how many there are now.
    func add(_ id: String) -> Int {
        lock.withLock {
            set.insert(id); return set.count
        }
    }
    var ids: Set<String> { lock.withLock { set } }
}

/// TCP forwarders (socat) from `address` to the DC, one per port, that the test stops and starts.
final class ControllerProxy {
    let address: String, target: String, ports: [Int]
    private var processes: [Process] = []

    init(address: String, target: String, ports: [Int]) throws {
        (self.address, self.target, self.ports) = (address, target, ports)
        try startForwarding()
    }

    func startForwarding() throws {
        for port in ports {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
            process.arguments = ["TCP-LISTEN:\(port),bind=\(address),fork,reuseaddr", "TCP:\(target):\(port)"]
            try process.run()
            processes.append(process)
        }
        // Listening when a connection goes through.
        for port in ports {
            var up = false
            for _ in 0..<100 where !up {
                up = Self.accepts(address, port)
                if !up { usleep(20_000) }
            }
            guard up else { throw DaemonProcess.Failure("socat did not listen on \(address):\(port)") }
        }
    }

    /// Ends every forwarder and the children it forked for the connections it carries (SIGKILL:
    /// a test runner may leave SIGTERM ignored in its children): a DC that goes away takes its
    /// connections with it, ccgd's warm LDAP connection too. A child left alive would also keep
    /// the descriptor Foundation watches, and `waitUntilExit` would never return.
    func stopForwarding() throws {
        for process in processes where process.isRunning {
            let parent = process.processIdentifier
            for child in Self.children(of: parent) { kill(child, SIGKILL) }
            kill(parent, SIGKILL)
            process.waitUntilExit()
        }
        processes = []
    }

    /// The processes whose parent is `pid` (from /proc/<pid>/stat: the fourth field, after the name in parentheses).
    private static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let candidate = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? candidate : nil
        }
    }

    func stop() { try? stopForwarding() }

    private static func accepts(_ address: String, _ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(port).bigEndian
        sin.sin_addr.s_addr = inet_addr(address)
        return withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

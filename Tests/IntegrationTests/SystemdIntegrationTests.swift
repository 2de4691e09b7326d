import Foundation
import NIOHTTP1
import SocketAPI
import Synchronization
import TestSupport
import XCTest

/// ccgd under systemd, played by the test: a NOTIFY_SOCKET to read, a watchdog interval, and a
/// listening socket passed as file descriptor 3 with LISTEN_FDS/LISTEN_PID.
final class SystemdIntegrationTests: XCTestCase {
    /// The datagram socket systemd would read sd_notify messages from.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = Self.address(path)
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard status == 0 else { throw POSIXError(.EADDRINUSE) }
        }

        deinit { close(fd); unlink(path) }

        static func address(_ path: String) -> sockaddr_un {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
            return address
        }

        /// Messages until one contains `needle` or `timeout` passes.
        func wait(for needle: String, timeout: TimeInterval = 15) -> [String] {
            var seen: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 200) == 1 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { continue }
                let message = String(decoding: buffer[..<n], as: UTF8.self)
                seen.append(message)
                if message.contains(needle) { return seen }
            }
            return seen
        }
    }

    /// A listening Unix socket, as systemd makes from ccgd.socket.
    private func listeningSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = NotifySocket.address(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        return fd
    }

    /// Starts ccgd with the listener as fd 3 (and `ecsListener`, named `ecs`, as fd 4) and
    /// LISTEN_PID set to ccgd's own pid (via exec).
    private func spawn(_ daemon: DaemonProcess, listener: Int32, ecsListener: Int32? = nil, notify: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener, 3)
        if let ecsListener { posix_spawn_file_actions_adddup2(&actions, ecsListener, 4) }
        let log = open(daemon.log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        defer { close(log) }
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        let arguments = ["/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\"", Command.binaries + "/ccgd", "--config", daemon.configuration]
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify
        environment["WATCHDOG_USEC"] = "600000"
        environment["LISTEN_FDS"] = ecsListener == nil ? "1" : "2"
        if ecsListener != nil { environment["LISTEN_FDNAMES"] = "ccgd.socket:ecs" }
        environment["JOURNAL_STREAM"] = "8:1234"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        return pid
    }

    private func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }

    func testDaemonSpeaksSystemdsProtocolAndServesTheInheritedSocket() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        let notify = try NotifySocket(path: daemon.root + "/notify.sock")
        let listener = try listeningSocket(daemon.socket)
        let pid = try spawn(daemon, listener: listener, notify: notify.path)
        close(listener)

        let startup = notify.wait(for: "READY=1")
        XCTAssertTrue(startup.contains { $0.hasPrefix("READY=1\nSTATUS=0 leases, 0 accounts") }, "\(startup) \(daemon.logText)")
        XCTAssertTrue(daemon.logText.contains("from=systemd"), daemon.logText)
        // The watchdog is pinged only after a real request went through the socket.
        XCTAssertTrue(notify.wait(for: "WATCHDOG=1").contains("WATCHDOG=1"))

        // A request on the socket systemd made.
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertNotNil(lease["id"])
        let status = notify.wait(for: "STATUS=1 leases")
        XCTAssertTrue(status.contains { $0.contains("STATUS=1 leases, 1 accounts (0 failing), DCs up 1/1") }, "\(status)")

        // Reload: RELOADING then READY again.
        kill(pid, SIGHUP)
        let reload = notify.wait(for: "READY=1")
        XCTAssertTrue(reload.contains { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }, "\(reload)")
        XCTAssertTrue(daemon.logText.contains("<5>ccgd.reload: configuration reloaded"), "journald priority prefix: \(daemon.logText)")

        kill(pid, SIGTERM)
        XCTAssertTrue(notify.wait(for: "STOPPING=1").contains { $0.hasPrefix("STOPPING=1") })
        XCTAssertEqual(waitForExit(pid), 0, daemon.logText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: daemon.socket), "systemd owns the socket file: ccgd leaves it")
    }

    /// ccgd.socket and ccgd-ecs.socket together: each socket serves its own protocol.
    func testBothSocketsAreSocketActivated() async throws {
        let domain = try TestDomain.require()
        try ECSIntegrationTests.requirePython()
        let root = try temporaryDirectory("ecs")
        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """

                [ecs]
                socket = \(root)/unused.sock
                krb-files-directory = \(root)/krbdir
                """)
        defer { daemon.remove() }
        let notify = try NotifySocket(path: daemon.root + "/notify.sock")
        let listener = try listeningSocket(daemon.socket)
        let ecsListener = try listeningSocket(root + "/ecs.sock")
        let pid = try spawn(daemon, listener: listener, ecsListener: ecsListener, notify: notify.path)
        close(listener)
        close(ecsListener)
        XCTAssertTrue(notify.wait(for: "READY=1").contains { $0.hasPrefix("READY=1") }, daemon.logText)

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertNotNil(lease["id"])
        let outcome = try ECSIntegrationTests.runClient(
            daemon, mode: "health", socket: root + "/ecs.sock", krbDirectory: root + "/krbdir",
            state: root + "/state.json")
        XCTAssertEqual(outcome.status, 0, "\(outcome.all)\n\(daemon.logText)")
        XCTAssertTrue(outcome.output.contains("ok HealthCheck answers OK"), outcome.all)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/unused.sock"), "ccgd bound its own socket instead of systemd's")

        kill(pid, SIGTERM)
        XCTAssertEqual(waitForExit(pid), 0, daemon.logText)
    }

    func testReloadUnderLoadLosesNothing() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let client = daemon.client
        let pid = try XCTUnwrap(daemon.pid)
        // Four clients create leases until the configuration has been reloaded five times (and at
        // least 20 each), so every reload happens under load however fast either side runs.
        final class Switch: Sendable { let on = Mutex(true) }
        let reloading = Switch()
        async let statuses = withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var statuses: [Int] = []
                    while statuses.count < 20 || reloading.on.withLock({ $0 }) {
                        statuses.append(try await client.send(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "WebApp01"}"#.utf8)).status)
                    }
                    return statuses
                }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        // Each SIGHUP waits for the previous reload's log line: signals sent closer together may
        // merge into one (a pending signal is kept once), which is the kernel's rule, not a loss.
        func reloads() -> Int { daemon.logText.components(separatedBy: "configuration reloaded").count - 1 }
        for round in 1...5 {
            try await Task.sleep(for: .milliseconds(50))
            kill(pid, SIGHUP)
            let deadline = ContinuousClock.now + .seconds(20)
            while reloads() < round, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            XCTAssertEqual(reloads(), round, "reload \(round) was not logged within 20 s\n\(daemon.logText)")
        }
        reloading.on.withLock { $0 = false }
        let all = try await statuses
        XCTAssertGreaterThanOrEqual(all.count, 80)
        XCTAssertEqual(Set(all), [201], "every request during the reloads succeeded")
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        XCTAssertEqual(leases?.count, all.count + 1)
        XCTAssertEqual(reloads(), 5, daemon.logText)
    }

    func testBrokenConfigurationOnReloadKeepsTheOldOne() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        let good = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try good.replacingOccurrences(of: "[plugins]\n", with: "[plugins]\ntimeout = forever\n").write(
            toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertTrue(daemon.logText.contains("reload refused: \(daemon.configuration):"), daemon.logText)
        XCTAssertTrue(
            daemon.logText.contains("timeout: \\\"forever\\\" is not a positive duration") || daemon.logText.contains("is not a positive duration"),
            daemon.logText)
        let lease = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(lease.status, 201, "still serving with the old configuration")
    }

    func testReloadAppliesANewPeerPolicy() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "socket-mode = 0666")
        defer { daemon.remove() }
        try daemon.start()
        func asNobody() throws -> String {
            try Command.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-o", "/dev/null",
                    "-w", "%{http_code}", "--unix-socket", daemon.socket, "http://ccgd/v1/accounts",
                ]
            ).output
        }
        XCTAssertEqual(try asNobody(), "403")
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
            .replacingOccurrences(of: "socket-mode = 0666", with: "socket-mode = 0666\nallowed-uids = 0, 65534")
        try text.write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<50 where !daemon.logText.contains("configuration reloaded") { try await Task.sleep(for: .milliseconds(100)) }
        XCTAssertEqual(try asNobody(), "200")
    }
}

/// ccgd started as ccgd.service starts it (its User=, capabilities, securebits and no new
/// privileges, through setpriv) can still give lease files to a container's uid and rewrite them.
final class CapabilityIntegrationTests: XCTestCase {
    func testLeasesWorkWithTheUnitsPrivileges() async throws {
        let domain = try TestDomain.require()
        let unit = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("systemd/ccgd.service").path, encoding: .utf8)
        let privileges = try UnitPrivileges(unit: unit)
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        daemon.wrapper = ["/usr/bin/setpriv"] + privileges.setprivArguments + ["--"]
        try daemon.start()

        // setpriv really applied them: the daemon's own view of its privileges.
        let status = try String(contentsOfFile: "/proc/\(try XCTUnwrap(daemon.pid))/status", encoding: .utf8)
        func field(_ name: String) -> String? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(field("NoNewPrivs"), privileges.noNewPrivileges ? "1" : "0")
        if let bounding = privileges.boundingSet {
            let mask = try XCTUnwrap(field("CapBnd").flatMap { UInt64($0, radix: 16) })
            XCTAssertEqual(mask.nonzeroBitCount, Set(bounding).count, "CapBnd \(String(mask, radix: 16)) for \(bounding)")
        }

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01", "owner": {"uid": 1000, "gid": 1000}}"#)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        func assertOwnedBy1000() throws {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            XCTAssertEqual([attributes[.ownerAccountID] as? Int, attributes[.posixPermissions] as? Int], [1000, 0o700], directory)
            for file in ["krb5.keytab", "krb5cc", "krb5.conf"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + file)
                XCTAssertEqual(
                    [attributes[.ownerAccountID] as? Int, attributes[.groupOwnerAccountID] as? Int, attributes[.posixPermissions] as? Int],
                    [1000, 1000, 0o600], file)
            }
        }
        try assertOwnedBy1000()
        try domain.run(
            ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"])

        // A restart rewrites the files inside the directory the container's uid now owns.
        XCTAssertEqual(daemon.stop(), 0, daemon.logText)
        try daemon.start()
        let again = try await daemon.request(.GET, "/v1/leases/\(lease["id"] as! String)")
        XCTAssertEqual(again.status, 200)
        XCTAssertFalse(daemon.logText.contains("cannot rewrite"), daemon.logText)
        XCTAssertFalse(daemon.logText.contains("Operation not permitted"), daemon.logText)
        try assertOwnedBy1000()
        try domain.run(
            ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"])

        // And deleting it removes a directory its owner has filled.
        XCTAssertEqual(mkdir(directory + "/owners", 0), 0)
        XCTAssertEqual(chown(directory + "/owners", 1000, 1000), 0)
        let deleted = try await daemon.request(.DELETE, "/v1/leases/\(lease["id"] as! String)")
        XCTAssertEqual(deleted.status, 204, deleted.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    func testUnitPrivilegesBecomeSetprivOptions() throws {
        let unit = """
            [Unit]
            User=ignored
            [Service]
            User=root
            CapabilityBoundingSet=CAP_CHOWN
            CapabilityBoundingSet=CAP_DAC_OVERRIDE
            AmbientCapabilities=
            NoNewPrivileges=yes
            SecureBits=noroot-locked
            ProtectSystem=strict
            """
        XCTAssertEqual(
            try UnitPrivileges(unit: unit).setprivArguments,
            [
                "--bounding-set=-all,+chown,+dac_override", "--inh-caps=-all", "--ambient-caps=-all",
                "--securebits=+noroot_locked", "--no-new-privs",
            ])
        for line in [
            "Group=ccgd", "DynamicUser=yes", "SupplementaryGroups=disk", "CapabilityBoundingSet=~CAP_SYS_ADMIN",
            "SecureBits=keep-caps", "NoNewPrivileges=maybe", "User=no-such-user-here",
        ] {
            XCTAssertThrowsError(try UnitPrivileges(unit: "[Service]\n\(line)\n"), line) {
                XCTAssertTrue("\($0)".contains(line.split(separator: "=")[0]) || "\($0)".contains("User="), "\($0)")
            }
        }
    }
}

import DaemonHarness
import Foundation
import NIOHTTP1
import SocketPeers
import TestSupport
import XCTest

/// What an operator and their monitoring see of a real ccgd when things go wrong: metrics an
/// alert can use from the start, health that says why, errors naming the DC and the cause, and
/// ccgctl's exit statuses for scripts.
final class OperatorIntegrationTests: XCTestCase {
    /// The value of `series` in a Prometheus exposition.
    private func sample(_ series: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    /// Where the daemon's metrics listener went (it asked the kernel for a port), from its log.
    private func metricsAddress(_ daemon: DaemonProcess) throws -> String {
        let line = try XCTUnwrap(daemon.logText.split(separator: "\n").first { $0.contains("serving metrics") }, daemon.logText)
        return try XCTUnwrap(line.split(separator: " ").first { $0.hasPrefix("listen=") }.map { String($0.dropFirst("listen=".count)) })
    }

    private func scrape(_ address: String) throws -> String {
        let outcome = try Command.run("/usr/bin/curl", ["-sf", "http://\(address)/metrics"])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        return outcome.output
    }

    func testMonitoringSeesADomainControllerThatNeverAnswered() async throws {
        let domain = try TestDomain.require()
        // 127.0.0.9: loopback, where nothing listens.
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "\n[metrics]\nlisten = 127.0.0.1:0", controllerAddress: "127.0.0.9")
        defer { daemon.remove() }
        try daemon.start()
        let address = try metricsAddress(daemon)
        XCTAssertTrue(address.hasPrefix("127.0.0.1:"), address)

        // Before anything was asked of the DC, every series an alert names is there.
        let before = try scrape(address)
        for (series, value) in [
            (#"ccgd_domain_controller_up{host="dc1.contoso.test",realm="CONTOSO.TEST"}"#, "0"),
            ("ccgd_refresh_failures_total", "0"), ("ccgd_connections_forbidden_total", "0"),
            (#"ccgd_account_fetches_total{result="directory.unreachable"}"#, "0"),
            (#"ccgd_leases_ended_total{reason="holder_gone"}"#, "0"), ("ccgd_health_degraded", "0"),
            ("ccgd_journal_damaged_copies", "0"), (#"ccgd_build_info{version="0.1.0"}"#, "1"),
        ] {
            XCTAssertEqual(sample(series, in: before), value, "\(series) in\n\(before)")
        }
        for series in ["process_resident_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds", "process_cpu_seconds_total"] {
            XCTAssertNotNil(sample(series, in: before).flatMap(Double.init), "\(series) in\n\(before)")
        }

        // A lease fails naming the DC tried and why, in the answer and in the log.
        let created = try Command.run("ccgctl", ["lease", "create", "--config", daemon.configuration, "--credspec", "WebApp01"])
        XCTAssertEqual(created.status, 1, created.all)
        XCTAssertTrue(
            created.errors.hasPrefix(
                "ccgctl: no domain controller of CONTOSO.TEST answered the Kerberos login of StandardUser01@CONTOSO.TEST: dc1.contoso.test (127.0.0.9) port 88: Connection refused; "
            ), created.errors)
        XCTAssertTrue(created.errors.hasSuffix("(ccgd: directory.unreachable)\n"), created.errors)
        XCTAssertFalse(created.errors.contains("Usage:"), created.errors)
        XCTAssertTrue(daemon.logText.contains("dc1.contoso.test (127.0.0.9) port 88: Connection refused"), daemon.logText)

        // Health says why; ccgctl health fails a script with 2.
        let health = try Command.run("ccgctl", ["health", "--config", daemon.configuration])
        XCTAssertEqual(health.status, 2, health.all)
        XCTAssertTrue(health.output.hasPrefix("status    degraded"), health.output)
        XCTAssertTrue(
            health.output.contains(
                "  reason  domain controller dc1.contoso.test of CONTOSO.TEST does not answer (never reached; Connection refused); it is asked last and probed until it answers.\n"
            ), health.output)
        XCTAssertEqual(health.errors, "ccgctl: ccgd is degraded: 1 reason above.\n")
        let json = try Command.run("ccgctl", ["health", "--config", daemon.configuration, "--json"])
        XCTAssertEqual(json.status, 2)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        XCTAssertEqual(document["status"] as? String, "degraded")
        XCTAssertEqual((document["reasons"] as? [String])?.count, 1)

        let after = try scrape(address)
        XCTAssertEqual(sample(#"ccgd_domain_controller_up{host="dc1.contoso.test",realm="CONTOSO.TEST"}"#, in: after), "0")
        XCTAssertEqual(sample("ccgd_health_degraded", in: after), "1")
        XCTAssertEqual(sample(#"ccgd_account_fetches_total{result="directory.unreachable"}"#, in: after), "1")
    }

    func testAnUnresolvableDomainControllerIsNamedWithItsCause() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try text.replacingOccurrences(of: "controllers = \(domain.controller.hostName)=127.0.0.1", with: "controllers = dc9.nowhere.invalid")
            .write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        try daemon.start()
        let (status, object, _) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(status, 503)
        let message = apiError(object).message
        XCTAssertTrue(message.contains("answered the Kerberos login of StandardUser01@CONTOSO.TEST: dc9.nowhere.invalid: cannot resolve the name ("), message)
        XCTAssertFalse(message.contains("could not log in"), "it reads like a credentials problem: \(message)")
    }

    func testAFailedDNSDiscoveryNamesTheRecordAndTheServersNeverADomainController() async throws {
        let domain = try TestDomain.require()
        // No [domain] section: the DCs come from DNS, here a server where nothing answers.
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "dns-servers = 127.0.0.9:53", domainSection: false)
        defer { daemon.remove() }
        try daemon.start()
        let (status, object, _) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(status, 503)
        let message = apiError(object).message
        XCTAssertTrue(
            message.hasPrefix("no domain controller of contoso.test was found: DNS SRV _ldap._tcp.dc._msdcs.contoso.test (asked of 127.0.0.9:53) gave none: "),
            message)
        XCTAssertFalse(message.contains("domain controller _ldap"), message)
    }

    func testPeersThatAreNotAllowedAreCountedAndAFloodOfThemIsLoggedOnce() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: "socket-mode = 0666")
        defer { daemon.remove() }
        chmod(daemon.root, 0o755) // the other peer must reach the socket to be refused by ccgd itself
        try daemon.start()
        for _ in 0..<20 {
            let answer = try ForeignPeer.exchange(daemon.socket, "GET /metrics HTTP/1.1\r\nHost: ccgd\r\n\r\n")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 403"), answer)
        }
        let counted = try await daemon.metric("ccgd_connections_forbidden_total")
        XCTAssertEqual(counted, 20)
        let lines = daemon.logText.split(separator: "\n").filter { $0.contains("peer refused") }
        XCTAssertEqual(lines.count, 1, "one line for a flood, not one per connection:\n\(lines.joined(separator: "\n"))")
        XCTAssertTrue(lines.first?.contains(#"peer="uid 65534, gid 65534, pid "#) ?? false, "\(lines)")
    }

    func testCheckConfigFailsOnAMissingFileAndOnCredSpecsCcgdCannotServe() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        let missing = try Command.run("ccgd", ["--check-config", "--config", daemon.root + "/missing.conf"])
        XCTAssertEqual(missing.status, 2, missing.all)
        XCTAssertEqual(
            missing.errors,
            "\(daemon.root)/missing.conf: no such file; create it (docs/ccgd.conf.example has every key and its default) or name another with --config.\n")
        XCTAssertFalse(missing.all.contains("OK"), missing.all)

        let good = try daemon.runAnother(["--check-config"])
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.output.contains("\(daemon.configuration): OK (1 plug-ins, 1 of them built in; 1 domains; "), good.output)

        try "{\"CmsPlugins\": [\"ActiveDirectory\"], oops".write(toFile: daemon.credSpecs + "/Broken.json", atomically: true, encoding: .utf8)
        let webApp = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        try webApp.replacingOccurrences(of: "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", with: "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0")
            .write(toFile: daemon.credSpecs + "/Unregistered.json", atomically: true, encoding: .utf8)
        let bad = try daemon.runAnother(["--check-config"])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.output.contains("\(daemon.credSpecs)/Broken.json: The CredSpec is not valid JSON at line 1"), bad.output)
        XCTAssertTrue(
            bad.output.contains("\(daemon.credSpecs)/Unregistered.json: no plug-in is registered for PluginGUID {0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0}"),
            bad.output)
        XCTAssertTrue(bad.output.contains("cannot be served; fix or remove them."), bad.output)
        XCTAssertFalse(bad.output.contains("OK"), bad.output)
    }

    func testUnderJournaldEachLineKeepsItsLoggersName() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        daemon.environment = ["JOURNAL_STREAM": "8:12345"]
        try daemon.start()
        let lines = daemon.logText.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("<6>ccgd: ready ") }, daemon.logText)
        XCTAssertTrue(lines.allSatisfy { $0.wholeMatch(of: /<\d>ccgd(\.[a-z-]+)?: .*/) != nil }, daemon.logText)
    }

    func testABareCcgdSaysItRunsOnBuiltInDefaults() throws {
        guard !FileManager.default.fileExists(atPath: "/etc/ccgd/ccgd.conf") else {
            throw XCTSkip("/etc/ccgd/ccgd.conf exists on this machine: a ccgd without --config reads it")
        }
        let root = try temporaryDirectory("bare", creating: ["credspecs"])
        let log = root + "/ccgd.log"
        let process = try ChildProcess(
            [
                Command.binaries + "/ccgd", "--socket", root + "/ccgd.sock", "--runtime-directory", root + "/run",
                "--state-directory", root + "/state", "--credspec-directory", root + "/credspecs",
            ],
            environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
        defer { process.stop(patience: nil) }
        var text = ""
        for _ in 0..<100 where !text.contains(" ready ") {
            usleep(50_000)
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        XCTAssertTrue(
            text.contains("warning ccgd: no configuration file /etc/ccgd/ccgd.conf: running on built-in defaults (docs/ccgd.conf.example lists them)"), text)
        XCTAssertTrue(text.contains("state_directory=\(root)/state"), text)
    }
}

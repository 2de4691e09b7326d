import Foundation
import SocketPeers
import TestSupport
import XCTest

/// A real ccgd against the test domain: leases end when their creator gave up before the
/// answer, when their holders die around a `kill -9`, at their expiry, when a reload narrows
/// the policy; and a tenant's leases are capped.
final class LeaseLifetimeIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?
    private var holders: [Int32] = []

    override func tearDown() {
        for pid in holders { kill(pid, SIGKILL) }
        daemon?.remove()
    }

    private func leases(_ daemon: DaemonProcess) async throws -> [[String: Any]] {
        try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
    }

    /// Waits (up to 20 s) until the daemon holds `count` leases; answers the last count seen.
    private func waitForLeases(_ daemon: DaemonProcess, count: Int) async throws -> Int {
        var seen = -1
        for _ in 0..<200 {
            seen = try await leases(daemon).count
            if seen == count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return seen
    }

    /// An executable plug-in that answers with the test domain's portable user after `delay` seconds.
    private func slowPlugin(_ domain: TestDomain, delay: Int) throws -> (configuration: String, plugins: String, guid: String) {
        let directory = try temporaryDirectory("slow-plugin", mode: 0o755)
        let path = directory + "/slow"
        try "#!/bin/sh\ncat >/dev/null\nsleep \(delay)\ncat '\(domain.allowedCredentialsFile)'\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        let guid = "7E0A3C1D-0000-4000-8000-0000000000A1"
        return ("\n[plugin \"{\(guid)}\"]\nexecutable = \(path)\n", "directory = \(directory)\ntimeout = 30s", guid)
    }

    /// WebApp01's CredSpec in the daemon's directory under `name`, its PluginGUID replaced by `guid`.
    private func credSpec(_ daemon: DaemonProcess, named name: String, guid: String) throws {
        let template = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        let range = try XCTUnwrap(
            template.range(
                of: #"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"#,
                options: .regularExpression, range: template.range(of: "PluginGUID")!.upperBound..<template.endIndex))
        try template.replacingCharacters(in: range, with: guid).write(toFile: daemon.credSpecs + "/\(name).json", atomically: true, encoding: .utf8)
    }

    /// A client that gives up after 1 s on a lease whose plug-in takes 3 s: the lease made after it
    /// left ends at once instead of outliving everyone who could delete it.
    func testALeaseWhoseClientGaveUpBeforeTheAnswerEnds() async throws {
        let domain = try TestDomain.require()
        let slow = try slowPlugin(domain, delay: 3)
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: slow.configuration, pluginsConfiguration: slow.plugins)
        self.daemon = daemon
        try credSpec(daemon, named: "Slow", guid: slow.guid)
        try daemon.start()
        let impatient = try Command.run(
            "/usr/bin/curl",
            [
                "-s", "--max-time", "1", "--unix-socket", daemon.socket, "-X", "POST",
                "http://ccgd/v1/leases", "-d", #"{"credentialSpecName": "Slow"}"#,
            ])
        XCTAssertEqual(impatient.status, 28, "curl gave up: \(impatient.all)")
        // The fetch goes on and the lease is made, then ended: the answer has nowhere to go.
        for _ in 0..<100 where !daemon.logText.contains("lease ended") { try await Task.sleep(for: .milliseconds(100)) }
        let ended = try await waitForLeases(daemon, count: 0)
        XCTAssertEqual(ended, 0, daemon.logText)
        XCTAssertTrue(daemon.logText.contains("the client that asked for it was gone before the answer"), daemon.logText)
        let metric = try await daemon.metric(#"ccgd_leases_ended_total{reason="client_gone"}"#)
        XCTAssertEqual(metric, 1)
    }

    /// `kill -9` while 200 creations, each held by a process of its own, are on their way: the
    /// clients that got no answer end their holders (as a runtime ends a container whose hook
    /// failed); after the restart every lease left is one a client was told of.
    func testAfterAKillDuringCreationsOnlyAnsweredLeasesWithLiveHoldersRemain() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        self.daemon = daemon
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#) // cached: creations take milliseconds
        let script = """
            import json, socket, subprocess, sys, threading, time
            path, count = sys.argv[1], int(sys.argv[2])
            results = [None] * count
            holders = [subprocess.Popen(["/bin/sleep", "600"], start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]
            def create(index):
                body = json.dumps({"credentialSpecName": "WebApp01", "holder": {"pid": holders[index].pid}}).encode()
                request = b"POST /v1/leases HTTP/1.1\\r\\nHost: ccgd\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.settimeout(30)
                    s.connect(path)
                    s.sendall(request)
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    head, _, payload = data.partition(b"\\r\\n\\r\\n")
                    if b" 201 " in head.split(b"\\r\\n")[0]:
                        results[index] = json.loads(payload)["id"]
                        print("answered", flush=True)
                except Exception:
                    pass
            print("ready", flush=True)
            sys.stdin.readline()
            threads = [threading.Thread(target=create, args=(i,)) for i in range(count)]
            for thread in threads: thread.start()
            for thread in threads: thread.join()
            print(json.dumps([{"pid": holders[i].pid, "lease": results[i]} for i in range(count)]), flush=True)
            """
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = ["-c", script, daemon.socket, "200"]
        let input = Pipe(), output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        try client.run()
        _ = output.fileHandleForReading.availableData // "ready": the holders run
        input.fileHandleForWriting.write(Data("go\n".utf8))
        // Killed once the first answers are out: the rest are on their way, some of them journaled.
        var text = ""
        while text.components(separatedBy: "answered").count <= 10 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        daemon.crash()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        let outcomes = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(text.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
                as? [[String: Any]], text)
        var answered: Set<String> = []
        for outcome in outcomes {
            let pid = Int32(outcome["pid"] as? Int ?? 0)
            if let lease = outcome["lease"] as? String {
                answered.insert(lease); holders.append(pid)
            } else {
                // No answer: the runtime gives the container up.
                kill(pid, SIGKILL)
            }
        }
        try daemon.start()
        // The warm-up lease has no holder; every other lease left must be one a client was told of.
        let held = Set(try await leases(daemon).filter { $0["holder"] != nil }.compactMap { $0["id"] as? String })
        XCTAssertEqual(held, answered, "answered: \(answered.count) of \(outcomes.count)")
        let ended = daemon.logText.components(separatedBy: "at=start-up").count - 1
        print(
            "kill -9 during 200 creations: \(answered.count) answered, \(held.count) held leases after the restart, \(ended) journaled but unanswered ended at start-up"
        )
    }

    func testALeaseEndsAtItsExpiry() async throws {
        let daemon = try DaemonProcess(domain: try TestDomain.require())
        self.daemon = daemon
        try daemon.start()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01", "expiresIn": 2}"#)
        XCTAssertNotNil(lease["expiresAt"] as? String, "\(lease)")
        let directory = try XCTUnwrap(lease["directory"] as? String)
        let left = try await waitForLeases(daemon, count: 0)
        XCTAssertEqual(left, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
        let (status, object, _) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01", "expiresIn": 0}"#)
        XCTAssertEqual(status, 400)
        XCTAssertEqual(apiError(object).field, "expiresIn")
    }

    /// A reload that narrows a CredSpec's allow-list ends the leases it no longer allows, and a
    /// restart after the CredSpec's file was deleted does not bring its leases back.
    func testRevocationReachesExistingLeases() async throws {
        let daemon = try DaemonProcess(domain: try TestDomain.require())
        self.daemon = daemon
        try daemon.start()
        let forContainer = try await daemon.createLease(
            #"{"credentialSpecName": "WebApp01", "owner": {"uid": 2000, "gid": 2000}, "onBehalfOfOwner": true}"#)
        let forRoot = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let other = try await daemon.createLease(#"{"credentialSpecName": "WebApp02", "owner": {"uid": 2000, "gid": 2000}, "onBehalfOfOwner": true}"#)
        let configuration = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try (configuration + "\n[credspec \"WebApp01\"]\nallowed-uids = 1000\n").write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<100 where !daemon.logText.contains("configuration reloaded") { try await Task.sleep(for: .milliseconds(100)) }
        var ids = Set(try await leases(daemon).compactMap { $0["id"] as? String })
        XCTAssertEqual(
            ids, Set([forRoot["id"] as? String, other["id"] as? String].compactMap { $0 }),
            "only the lease asked for uid 2000 of WebApp01 ended")
        XCTAssertTrue(daemon.logText.contains("lease ended") && daemon.logText.contains("may not use CredSpec WebApp01"), daemon.logText)

        XCTAssertEqual(daemon.stop(), 0)
        try FileManager.default.removeItem(atPath: daemon.credSpecs + "/WebApp02.json")
        try daemon.start()
        ids = Set(try await leases(daemon).compactMap { $0["id"] as? String })
        XCTAssertEqual(ids, Set([forRoot["id"] as? String].compactMap { $0 }), "WebApp02's file is gone, and so is its lease")
        XCTAssertFalse(FileManager.default.fileExists(atPath: other["directory"] as? String ?? "/"))
        _ = forContainer
    }

    /// A reader the gMSA does not allow, asked for 40 times in a row: one plug-in run and one DC
    /// login; the other 39 answers come from memory, saying when ccgd tries again.
    func testRepeatedRequestsForAFetchThatFailedAskTheDCOnce() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        self.daemon = daemon
        let template = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        try template.replacingOccurrences(of: domain.allowedCredentialsFile, with: domain.outsiderCredentialsFile)
            .write(toFile: daemon.credSpecs + "/Outsider.json", atomically: true, encoding: .utf8)
        try daemon.start()
        var answers: [String] = []
        for _ in 0..<40 {
            let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Outsider"}"#)
            XCTAssertEqual(status, 502, text)
            XCTAssertEqual(apiError(object).code, "directory.access_denied", text)
            answers.append(apiError(object).message)
        }
        let fetches = try await daemon.metric(#"ccgd_account_fetches_total{result="directory.access_denied"}"#)
        XCTAssertEqual(fetches, 1, "40 requests, one DC login")
        XCTAssertEqual(answers.dropFirst().filter { $0.contains("and tries again then") }.count, 39)
        let avoided = try await daemon.metric("ccgd_account_fetches_avoided_total")
        XCTAssertEqual(avoided, 39)
    }

    /// A tenant holds at most its quota of leases; the refusal says which key to raise.
    func testATenantCannotHoldMoreLeasesThanItsQuota() async throws {
        let daemon = try DaemonProcess(
            domain: try TestDomain.require(),
            extraConfiguration: "allowed-uids = 0, \(ForeignPeer.uid)\nsocket-mode = 0666\nmax-leases-per-caller = 2")
        self.daemon = daemon
        try daemon.start()
        for _ in 0..<2 {
            let made = try ForeignPeer.curl(daemon.socket, "POST", "/v1/leases", body: #"{"credentialSpecName": "WebApp01"}"#)
            XCTAssertEqual(made.status, 201, made.body)
        }
        let refused = try ForeignPeer.curl(daemon.socket, "POST", "/v1/leases", body: #"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(refused.status, 429, refused.body)
        XCTAssertTrue(refused.body.contains("quota.exceeded") && refused.body.contains("max-leases in [caller \\\"\(ForeignPeer.uid)\\\"]"), refused.body)
        // Root is not counted against the tenant.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
    }
}

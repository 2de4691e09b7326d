import Foundation
import XCTest

/// `[daemon] prefetch`: the named CredSpecs a node needs (leased there lately, or opted in with
/// `[credspec "NAME"] prefetch = yes`) are fetched at start and on reload, against the test
/// domain, so that their first lease is served from memory; the rest of the directory is not
/// (least privilege). Restored leases are fetched again in the background within the window.
final class PrefetchIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    /// `[credspec "NAME"] prefetch = yes` for each of `names`.
    private func optIn(_ names: [String]) -> String {
        names.map { "[credspec \"\($0)\"]\nprefetch = yes\n" }.joined(separator: "\n")
    }

    private func started(prefetch: Bool, optedIn: [String] = [], credSpecs: [String]? = nil) throws -> DaemonProcess {
        let daemon = try DaemonProcess(domain: try TestDomain.require(), extraConfiguration: optIn(optedIn), prefetch: prefetch)
        self.daemon = daemon
        if let credSpecs {
            for name in try FileManager.default.contentsOfDirectory(atPath: daemon.credSpecs) where !credSpecs.contains(name) {
                try FileManager.default.removeItem(atPath: daemon.credSpecs + "/" + name)
            }
        }
        try daemon.start()
        return daemon
    }

    private func accounts(_ daemon: DaemonProcess) async throws -> [String: [String: Any]] {
        let list = try await daemon.request(.GET, "/v1/accounts").object["accounts"] as? [[String: Any]] ?? []
        return Dictionary(list.map { (($0["account"] as? String ?? "").lowercased(), $0) }, uniquingKeysWith: { $1 })
    }

    /// Waits (30 s at most) until `accounts` are fetched and fresh.
    private func waitUntilFresh(_ daemon: DaemonProcess, _ accounts: [String]) async throws -> [String: [String: Any]] {
        for _ in 0..<120 {
            let listed = try await self.accounts(daemon)
            if accounts.allSatisfy({ listed[$0]?["state"] as? String == "fresh" }) { return listed }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw DaemonProcess.Failure("\(accounts) were not prefetched within 30 s: \(try await self.accounts(daemon)) \(daemon.logText)")
    }

    private func fetches(_ daemon: DaemonProcess) async throws -> Double {
        try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#) ?? 0
    }

    func testOptedInCredSpecsFirstLeaseCausesNoFetch() async throws {
        let daemon = try started(prefetch: true, optedIn: ["WebApp01", "WebApp02"])
        let accounts = try await waitUntilFresh(daemon, ["webapp01$", "webapp02$"])
        XCTAssertEqual(accounts["webapp01$"]?["leases"] as? Int, 0, "fetched before any lease")
        XCTAssertEqual(accounts["webapp01$"]?["prefetched"] as? Bool, true)
        XCTAssertNotNil(accounts["webapp01$"]?["fetchedAt"] as? String)
        let before = try await fetches(daemon)
        XCTAssertEqual(before, 2, "one fetch per opted-in CredSpec")

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let after = try await fetches(daemon)
        XCTAssertEqual(after, before, "the first lease of a prefetched CredSpec is served from memory")
        // Its files are the real thing: the KDC accepts the keytab.
        let directory = try XCTUnwrap(lease["directory"] as? String)
        try daemon.domain.run(
            ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(daemon.domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"])
        let held = try await self.accounts(daemon)
        XCTAssertEqual(held["webapp01$"]?["leases"] as? Int, 1)

        let health = try await daemon.request(.GET, "/v1/health").object
        let prefetch = try XCTUnwrap(health["prefetch"] as? [[String: Any]])
        XCTAssertEqual(prefetch.map { $0["credSpec"] as? String }, ["WebApp01", "WebApp02"])
        XCTAssertEqual(prefetch.map { $0["state"] as? String }, ["fresh", "fresh"])
        XCTAssertEqual(health["status"] as? String, "ok")
    }

    func testFailedPrefetchIsAHealthDetailNotAFailedStart() async throws {
        let daemon = try DaemonProcess(
            domain: try TestDomain.require(), extraConfiguration: optIn(["Missing", "WebApp01", "WebApp02"]),
            prefetch: true)
        self.daemon = daemon
        let text = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
            .replacingOccurrences(of: "WebApp01", with: "NoSuchGmsa01")
        try text.write(toFile: daemon.credSpecs + "/Missing.json", atomically: true, encoding: .utf8)
        try daemon.start()
        _ = try await waitUntilFresh(daemon, ["webapp01$", "webapp02$"])
        var prefetch: [[String: Any]] = []
        for _ in 0..<120 {
            prefetch = try await daemon.request(.GET, "/v1/health").object["prefetch"] as? [[String: Any]] ?? []
            if prefetch.first?["state"] as? String == "failed" { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual(prefetch.map { $0["credSpec"] as? String }, ["Missing", "WebApp01", "WebApp02"])
        XCTAssertEqual(prefetch.map { $0["state"] as? String }, ["failed", "fresh", "fresh"])
        XCTAssertTrue((prefetch.first?["lastError"] as? String ?? "").contains("NoSuchGmsa01"), "\(prefetch)")
        let health = try await daemon.request(.GET, "/v1/health").object
        XCTAssertEqual(health["status"] as? String, "degraded")
        XCTAssertTrue(daemon.logText.contains("prefetch failed"), daemon.logText)
        // The others serve leases as ever.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
    }

    func testPrefetchOffFetchesNothingEvenOptedIn() async throws {
        let daemon = try started(prefetch: false, optedIn: ["WebApp01"])
        try await Task.sleep(for: .seconds(2))
        let accounts = try await self.accounts(daemon)
        XCTAssertTrue(accounts.isEmpty, "\(accounts)")
        let fetched = try await fetches(daemon)
        XCTAssertEqual(fetched, 0)
        let health = try await daemon.request(.GET, "/v1/health").object
        XCTAssertEqual((health["prefetch"] as? [Any])?.count, 0)
        // The first lease is then a cold one.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let afterLease = try await fetches(daemon)
        XCTAssertEqual(afterLease, 1)
    }

    /// By default a node fetches nothing of a directory it has not used: after a lease of
    /// WebApp01 (ended before the restart), the restart prefetches WebApp01 and not WebApp02.
    func testByDefaultOnlyTheCredSpecsThisNodeUsedLatelyArePrefetched() async throws {
        let daemon = try started(prefetch: true)
        try await Task.sleep(for: .seconds(2))
        let untouched = try await accounts(daemon)
        XCTAssertTrue(untouched.isEmpty, "a cluster-wide directory costs a node nothing it does not run: \(untouched)")
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let deleted = try await daemon.request(.DELETE, "/v1/leases/\(try XCTUnwrap(lease["id"] as? String))")
        XCTAssertEqual(deleted.status, 204, deleted.text)
        // Recorded in the background; names and times only.
        var record = ""
        for _ in 0..<40 where !record.contains("WebApp01") {
            record = (try? String(contentsOfFile: daemon.state + "/recent-credspecs", encoding: .utf8)) ?? ""
            if !record.contains("WebApp01") { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertTrue(record.contains("\"WebApp01\""), record)
        XCTAssertFalse(record.contains("WebApp02"), record)

        daemon.stop()
        try daemon.start()
        let accounts = try await waitUntilFresh(daemon, ["webapp01$"])
        XCTAssertEqual(accounts["webapp01$"]?["prefetched"] as? Bool, true)
        XCTAssertEqual(accounts["webapp01$"]?["leases"] as? Int, 0)
        XCTAssertNil(accounts["webapp02$"], "never leased here: not fetched, its keys never on this node")
        let health = try await daemon.request(.GET, "/v1/health").object
        let prefetch = try XCTUnwrap(health["prefetch"] as? [[String: Any]])
        XCTAssertEqual(prefetch.map { $0["credSpec"] as? String }, ["WebApp01"])
    }

    /// With a window, a restart serves at once: a restored lease keeps its files and is fetched
    /// again within the window (its files then rewritten), while a lease asked for meanwhile is
    /// fetched at once, never queued behind the window.
    func testARestoredLeaseIsServedAtOnceAndFetchedAgainWithinTheWindow() async throws {
        let daemon = try DaemonProcess(domain: try TestDomain.require(), prefetch: true, prefetchWindow: "4s")
        self.daemon = daemon
        try daemon.start()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        let before = try String(contentsOfFile: directory + "/krb5.conf", encoding: .utf8)
        daemon.stop()

        try daemon.start()
        let restored = try await daemon.request(.GET, "/v1/leases/\(try XCTUnwrap(lease["id"] as? String))").object
        XCTAssertEqual((restored["identities"] as? [Any])?.count ?? 0, 0, "not fetched again yet: \(restored)")
        XCTAssertEqual(try String(contentsOfFile: directory + "/krb5.conf", encoding: .utf8), before, "its files serve meanwhile")
        let started = Date()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "an on-demand fetch does not wait for the window")
        _ = try await waitUntilFresh(daemon, ["webapp01$", "webapp02$"])
        var fetched: [String: Any] = [:]
        for _ in 0..<40 {
            fetched = try await daemon.request(.GET, "/v1/leases/\(try XCTUnwrap(lease["id"] as? String))").object
            if (fetched["identities"] as? [Any])?.count == 1 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        XCTAssertEqual((fetched["identities"] as? [Any])?.count, 1, "fetched again and rewritten within the 4 s window: \(fetched)")
        try daemon.domain.run(
            ["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(daemon.domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"])
    }

    func testCredSpecOptedInBeforeAReloadIsPrefetchedAndOneNoLongerOptedInIsReleased() async throws {
        let daemon = try started(prefetch: true, optedIn: ["WebApp01"])
        _ = try await waitUntilFresh(daemon, ["webapp01$"])
        let first = try await self.accounts(daemon)
        XCTAssertNil(first["webapp02$"], "only the opted-in CredSpecs are prefetched")

        try #"{"CmsPlugins": ["ActiveDirectory"], "#.write(toFile: daemon.credSpecs + "/Broken.json", atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try text.replacingOccurrences(of: optIn(["WebApp01"]), with: optIn(["WebApp02", "Broken"]))
            .write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)

        let reloaded = try await waitUntilFresh(daemon, ["webapp02$"])
        XCTAssertEqual(reloaded["webapp02$"]?["prefetched"] as? Bool, true)
        XCTAssertEqual(reloaded["webapp01$"]?["prefetched"] as? Bool, false, "a CredSpec no longer opted in no longer holds its account")
        let fetched = try await fetches(daemon)
        XCTAssertEqual(fetched, 2)
        XCTAssertTrue(daemon.logText.contains(daemon.credSpecs + "/Broken.json"), "the log names the invalid file: \(daemon.logText)")

        let health = try await daemon.request(.GET, "/v1/health").object
        let prefetch = try XCTUnwrap(health["prefetch"] as? [[String: Any]])
        XCTAssertEqual(prefetch.map { $0["credSpec"] as? String }, ["Broken", "WebApp02"])
        XCTAssertEqual(prefetch.map { $0["state"] as? String }, ["invalid", "fresh"])
        XCTAssertNotNil(prefetch.first?["lastError"] as? String)
        // An invalid file is skipped, not a failed start or reload: leases go on.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
        let afterLease = try await fetches(daemon)
        XCTAssertEqual(afterLease, 2)
    }
}

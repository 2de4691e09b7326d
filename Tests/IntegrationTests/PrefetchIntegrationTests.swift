import Foundation
import XCTest

/// `[daemon] prefetch`: the CredSpec directory is fetched at start and on reload, against the
/// test domain, so that the first lease of a named CredSpec is served from memory.
final class PrefetchIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    private func started(prefetch: Bool, credSpecs: [String]? = nil) throws -> DaemonProcess {
        let daemon = try DaemonProcess(domain: try TestDomain.require(), prefetch: prefetch)
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

    func testPrefetchedCredSpecsFirstLeaseCausesNoFetch() async throws {
        let daemon = try started(prefetch: true)
        let accounts = try await waitUntilFresh(daemon, ["webapp01$", "webapp02$"])
        XCTAssertEqual(accounts["webapp01$"]?["leases"] as? Int, 0, "fetched before any lease")
        XCTAssertEqual(accounts["webapp01$"]?["prefetched"] as? Bool, true)
        XCTAssertNotNil(accounts["webapp01$"]?["fetchedAt"] as? String)
        let before = try await fetches(daemon)
        XCTAssertEqual(before, 2, "one fetch per CredSpec of the directory")

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let after = try await fetches(daemon)
        XCTAssertEqual(after, before, "the first lease of a prefetched CredSpec is served from memory")
        // Its files are the real thing: the KDC accepts the keytab.
        let directory = try XCTUnwrap(lease["directory"] as? String)
        try daemon.domain.run(["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(daemon.domain.realm)"],
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
        let daemon = try DaemonProcess(domain: try TestDomain.require(), prefetch: true)
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

    func testPrefetchOffFetchesNothing() async throws {
        let daemon = try started(prefetch: false)
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

    func testCredSpecAddedBeforeAReloadIsPrefetchedAndOneRemovedIsReleased() async throws {
        let daemon = try started(prefetch: true, credSpecs: ["WebApp01.json"])
        _ = try await waitUntilFresh(daemon, ["webapp01$"])
        let first = try await self.accounts(daemon)
        XCTAssertNil(first["webapp02$"], "only the CredSpecs of the directory are prefetched")

        try FileManager.default.copyItem(atPath: daemon.domain.credSpecDirectory + "/WebApp02.json", toPath: daemon.credSpecs + "/WebApp02.json")
        try FileManager.default.removeItem(atPath: daemon.credSpecs + "/WebApp01.json")
        try #"{"CmsPlugins": ["ActiveDirectory"], "#.write(toFile: daemon.credSpecs + "/Broken.json", atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)

        let reloaded = try await waitUntilFresh(daemon, ["webapp02$"])
        XCTAssertEqual(reloaded["webapp02$"]?["prefetched"] as? Bool, true)
        XCTAssertEqual(reloaded["webapp01$"]?["prefetched"] as? Bool, false, "a CredSpec gone from the directory no longer holds its account")
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

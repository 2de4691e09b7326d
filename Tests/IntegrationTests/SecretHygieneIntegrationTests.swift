import Foundation
import NIOHTTP1
import XCTest

/// One full cycle of a real daemon at its most verbose log level — leases, a ticket refresh,
/// errors of every kind, a reload, a restart, deletions, and ccgctl — after which every log
/// line, state file, API answer, error message and metric is searched for every secret it
/// touched, in every encoding: the portable users' passwords, the gMSAs' passwords (as the DC
/// itself gives them) and their keys (as the DC exports them).
final class SecretHygieneIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "/ccgd-hygiene-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    override func tearDown() {
        daemon?.remove()
        try? FileManager.default.removeItem(atPath: scratch)
    }

    private typealias Secret = SecretScan.Secret
    private func needles(_ secret: Secret) -> [(String, Data)] { SecretScan.needles(secret) }
    private func passwordSecrets(_ name: String, _ password: String) -> [Secret] { SecretScan.passwordSecrets(name, password) }
    private func managedPasswordSecrets(_ account: String, _ domain: TestDomain) throws -> [Secret] {
        try SecretScan.managedPasswordSecrets(account, domain)
    }
    private func keySecrets(_ account: String, _ domain: TestDomain) throws -> [Secret] { try SecretScan.keySecrets(account, domain) }

    func testNoSecretReachesALogAStateFileAnAnswerOrAMetric() async throws {
        let domain = try TestDomain.require()
        let allowed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: domain.allowedCredentialsFile))) as? [String: String] ?? [:]
        let outsider =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: domain.outsiderCredentialsFile))) as? [String: String] ?? [:]
        let allowedPassword = try XCTUnwrap(allowed["password"]), outsiderPassword = try XCTUnwrap(outsider["password"])
        let user = try XCTUnwrap(allowed["username"])
        let wrongPassword = "Wrong-\(UUID().uuidString)-Secret"
        let inlinePassword = allowedPassword

        // The daemon's credentials directory: the allowed and outsider users, and a wrong password.
        let credentials = scratch + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, object) in [
            ("allowed.json", allowed), ("outsider.json", outsider),
            ("wrong.json", ["domainName": domain.dnsDomain, "username": user, "password": wrongPassword]),
        ] {
            let path = credentials + "/" + name
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
        }

        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """
                allow-inline-credspecs = yes

                [refresh]
                ticket-lifetime = 5m
                ticket-renewal = 10%
                """, pluginsConfiguration: "allow-inline = yes", logLevel: "trace", credentialsDirectory: credentials)
        self.daemon = daemon
        // The named CredSpecs read the allowed user from this daemon's credentials directory.
        for name in ["WebApp01", "WebApp02"] {
            let path = daemon.credSpecs + "/\(name).json"
            var spec = try String(contentsOfFile: path, encoding: .utf8)
            let input = try XCTUnwrap(spec.range(of: #""PluginInput": "[^"]*""#, options: .regularExpression))
            spec.replaceSubrange(input, with: #""PluginInput": "allowed.json""#)
            try spec.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try daemon.start()

        var answers: [(String, String)] = []
        func call(_ method: HTTPMethod, _ path: String, _ json: String? = nil) async throws -> [String: Any] {
            let (status, object, text) = try await daemon.request(method, path, json: json)
            answers.append(("\(method) \(path) → \(status)", text))
            return object
        }
        func inline(_ guid: String, _ input: String) throws -> String {
            var spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
            spec = spec.replacingOccurrences(of: "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", with: guid)
            let range = try XCTUnwrap(spec.range(of: #""PluginInput": "[^"]*""#, options: .regularExpression))
            spec.replaceSubrange(
                range, with: "\"PluginInput\": \(String(decoding: try JSONSerialization.data(withJSONObject: [input]), as: UTF8.self).dropFirst().dropLast())")
            return #"{"credentialSpec": \#(spec)}"#
        }

        // Leases, named and inline (file plug-in and inline plug-in), and every read.
        let filePlugin = "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", inlinePlugin = "6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60"
        var ids: [String] = []
        for body in [
            #"{"credentialSpecName": "WebApp01"}"#, #"{"credentialSpecName": "WebApp02", "owner": {"uid": 1000, "gid": 1000}}"#,
            try inline(filePlugin, "allowed.json"), try inline(inlinePlugin, "\(domain.dnsDomain):\(user):\(inlinePassword)"),
        ] {
            let lease = try await call(.POST, "/v1/leases", body)
            ids.append(try XCTUnwrap(lease["id"] as? String, "\(lease)"))
        }
        _ = try await call(.GET, "/v1/leases")
        for id in ids { _ = try await call(.GET, "/v1/leases/\(id)") }
        // The keytab route's answer is a keytab (keys by design): fetched, not scanned.
        let keytab = Data(try await daemon.client.send(.GET, "/v1/leases/\(ids[0])/keytab").body)

        // Every kind of error.
        for body in [
            try inline(filePlugin, "outsider.json"), try inline(filePlugin, "wrong.json"), try inline(filePlugin, "missing.json"),
            try inline(inlinePlugin, "\(domain.dnsDomain):\(user):\(wrongPassword)"),
            try inline(inlinePlugin, "\(domain.dnsDomain):OutsiderUser01:\(outsiderPassword)"),
            try inline("00000000-1111-2222-3333-444444444444", "\(wrongPassword)"),
            #"{"credentialSpecName": "NoSuchSpec"}"#, #"{"credentialSpec": {"CmsPlugins": 7}}"#, #"{"credentialSpec": "#,
        ] {
            let object = try await call(.POST, "/v1/leases", body)
            XCTAssertNotNil(object["error"], "\(object)")
        }

        // A ticket refresh (30 s into a 5-minute ticket), then a reload and a restart.
        let before = try await call(.GET, "/v1/leases/\(ids[0])")["ticketExpiresAt"] as? String
        let end = Date().addingTimeInterval(60)
        var refreshed = false
        while Date() < end && !refreshed {
            try await Task.sleep(for: .seconds(1))
            let now = try await daemon.request(.GET, "/v1/leases/\(ids[0])").object["ticketExpiresAt"] as? String
            refreshed = now != before
        }
        XCTAssertTrue(refreshed, "the ticket was renewed")
        _ = try await call(.GET, "/v1/accounts")
        _ = try await call(.GET, "/v1/health")
        _ = try await call(.GET, "/metrics")
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        daemon.stop()
        try daemon.start()
        _ = try await call(.GET, "/v1/accounts")
        for id in ids { _ = try await call(.DELETE, "/v1/leases/\(id)") }
        _ = try await call(.GET, "/metrics")
        daemon.stop()

        // ccgctl, as an operator runs it: a fetch that works and one that does not.
        let spec = daemon.credSpecs + "/WebApp01.json"
        var ccgctl: [(String, String)] = []
        for (name, file) in [("fetch", "allowed.json"), ("fetch with a wrong password", "wrong.json")] {
            let outcome = try Command.run(
                "ccgctl",
                [
                    "fetch", "--credspec", spec, "--credentials", credentials + "/" + file,
                    "--dc", "\(domain.controller.hostName)=127.0.0.1",
                    "--keytab", scratch + "/ctl.keytab", "--ccache", scratch + "/ctl.cc",
                ],
                environment: ["KRB5_CONFIG": domain.krb5Config])
            ccgctl.append(("ccgctl \(name)", outcome.all))
        }

        // What may not hold a secret: the log, the state directory, the answers, ccgctl's words.
        var artifacts: [(String, Data)] = [("the daemon's log", Data(daemon.logText.utf8))]
        for name in try FileManager.default.contentsOfDirectory(atPath: daemon.state) {
            artifacts.append(("state file \(name)", try Data(contentsOf: URL(fileURLWithPath: daemon.state + "/" + name))))
        }
        artifacts += answers.map { ("answer to \($0.0)", Data($0.1.utf8)) }
        artifacts += ccgctl.map { ($0.0, Data($0.1.utf8)) }
        XCTAssertGreaterThan(daemon.logText.split(separator: "\n").count, 20, "the cycle logged: \(daemon.logText)")
        XCTAssertTrue(daemon.logText.contains(" trace ") || daemon.logText.contains(" debug "), "the most verbose level")

        var secrets =
            passwordSecrets("portable user's password", allowedPassword)
            + passwordSecrets("outsider's password", outsiderPassword)
            + passwordSecrets("wrong password", wrongPassword)
        for account in ["WebApp01$", "WebApp02$"] {
            secrets += try managedPasswordSecrets(account, domain) + keySecrets(account, domain)
        }
        XCTAssertGreaterThanOrEqual(secrets.count, 12)
        XCTAssertEqual(SecretScan.findings(secrets, in: artifacts), [], "secrets leaked")

        // The search can find what it looks for: the keytab route's answer holds the keys by
        // design, and the DC's keys are found in it; the artifacts are the cycle's own.
        let webApp01Keys = try keySecrets("WebApp01$", domain)
        XCTAssertTrue(webApp01Keys.contains { keytab.range(of: Data($0.bytes)) != nil }, "the DC's keys are not found in the keytab answer")
        for id in ids { XCTAssertTrue(daemon.logText.contains(id), "the log tells of lease \(id)") }
        for code in ["auth.failed", "directory.access_denied", "plugin.unknown", "credspec.not_found", "credspec.invalid"] {
            XCTAssertTrue(daemon.logText.contains(code), "the log tells of the \(code) refusal")
        }

        // The search itself works: each encoding of a key, planted in a log line, is found.
        let planted = try XCTUnwrap(secrets.last)
        for (needle, bytes) in needles(planted) {
            var line = Data("2026-12-02T00:00:00Z info ccgd: key=".utf8)
            line.append(bytes)
            XCTAssertNotNil(line.range(of: bytes), needle)
            XCTAssertNil(Data(daemon.logText.utf8).range(of: bytes), needle)
        }
    }
}

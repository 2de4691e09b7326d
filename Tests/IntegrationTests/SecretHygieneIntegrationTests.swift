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

    /// A secret and the name it is reported under.
    private struct Secret {
        let name: String
        let bytes: [UInt8]
    }

    /// Every way a secret could be written out: raw, hex (both cases), base64, and the UTF-16LE
    /// form of each text encoding.
    private func needles(_ secret: Secret) -> [(String, Data)] {
        let hex = secret.bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = Data(secret.bytes).base64EncodedString()
        let texts = [("hex", hex), ("HEX", hex.uppercased()), ("base64", base64)]
        var result: [(String, Data)] = [("\(secret.name) raw", Data(secret.bytes))]
        for (encoding, text) in texts {
            result.append(("\(secret.name) \(encoding)", Data(text.utf8)))
            result.append(("\(secret.name) \(encoding) UTF-16LE", Data(text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })))
        }
        return result
    }

    private func passwordSecrets(_ name: String, _ password: String) -> [Secret] {
        [Secret(name: "\(name) (UTF-8)", bytes: Array(password.utf8)),
         Secret(name: "\(name) (UTF-16LE)", bytes: password.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })]
    }

    /// The gMSA's password as the DC holds it (virtualClearTextUTF16), and the UTF-8 AES keys are made from.
    private func managedPasswordSecrets(_ account: String, _ domain: TestDomain) throws -> [Secret] {
        let output = try domain.run(["samba-tool", "user", "getpassword", account, "--attributes=virtualClearTextUTF16", "-s", domain.smbConf])
        // LDIF folds long values onto lines starting with one space.
        let unfolded = output.replacingOccurrences(of: "\n ", with: "")
        let line = try XCTUnwrap(unfolded.split(separator: "\n").first { $0.hasPrefix("virtualClearTextUTF16:: ") })
        let utf16 = try XCTUnwrap(Data(base64Encoded: String(line.dropFirst("virtualClearTextUTF16:: ".count))))
        let units = stride(from: 0, to: utf16.count - 1, by: 2).map { UInt16(utf16[$0]) | UInt16(utf16[$0 + 1]) << 8 }
        let utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
        return [Secret(name: "\(account) password (UTF-16LE)", bytes: Array(utf16)),
                Secret(name: "\(account) password (UTF-8)", bytes: utf8)]
    }

    private func keySecrets(_ account: String, _ domain: TestDomain) throws -> [Secret] {
        try DomainControllerKeys(account: account, domain: domain).keys.map { key in
            let bytes = stride(from: 0, to: key.hex.count, by: 2).map { offset -> UInt8 in
                let start = key.hex.index(key.hex.startIndex, offsetBy: offset)
                return UInt8(key.hex[start..<key.hex.index(start, offsetBy: 2)], radix: 16)!
            }
            return Secret(name: "\(account) key kvno \(key.kvno) \(key.enctype)", bytes: bytes)
        }
    }

    func testNoSecretReachesALogAStateFileAnAnswerOrAMetric() async throws {
        let domain = try TestDomain.require()
        let allowed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: domain.allowedCredentialsFile))) as? [String: String] ?? [:]
        let outsider = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: domain.outsiderCredentialsFile))) as? [String: String] ?? [:]
        let allowedPassword = try XCTUnwrap(allowed["password"]), outsiderPassword = try XCTUnwrap(outsider["password"])
        let user = try XCTUnwrap(allowed["username"])
        let wrongPassword = "Wrong-\(UUID().uuidString)-Secret"
        let inlinePassword = allowedPassword

        // The daemon's credentials directory: the allowed and outsider users, and a wrong password.
        let credentials = scratch + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (name, object) in [("allowed.json", allowed), ("outsider.json", outsider),
                               ("wrong.json", ["domainName": domain.dnsDomain, "username": user, "password": wrongPassword])] {
            let path = credentials + "/" + name
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
        }

        let daemon = try DaemonProcess(domain: domain, extraConfiguration: """
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
            spec.replaceSubrange(range, with: "\"PluginInput\": \(String(decoding: try JSONSerialization.data(withJSONObject: [input]), as: UTF8.self).dropFirst().dropLast())")
            return #"{"credentialSpec": \#(spec)}"#
        }

        // Leases, named and inline (file plug-in and inline plug-in), and every read.
        let filePlugin = "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", inlinePlugin = "6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60"
        var ids: [String] = []
        for body in [#"{"credentialSpecName": "WebApp01"}"#, #"{"credentialSpecName": "WebApp02", "owner": {"uid": 1000, "gid": 1000}}"#,
                     try inline(filePlugin, "allowed.json"), try inline(inlinePlugin, "\(domain.dnsDomain):\(user):\(inlinePassword)")] {
            let lease = try await call(.POST, "/v1/leases", body)
            ids.append(try XCTUnwrap(lease["id"] as? String, "\(lease)"))
        }
        _ = try await call(.GET, "/v1/leases")
        for id in ids { _ = try await call(.GET, "/v1/leases/\(id)") }
        // The keytab route's answer is a keytab (keys by design): fetched, not scanned.
        let keytab = Data(try await daemon.client.send(.GET, "/v1/leases/\(ids[0])/keytab").body)

        // Every kind of error.
        for body in [try inline(filePlugin, "outsider.json"), try inline(filePlugin, "wrong.json"), try inline(filePlugin, "missing.json"),
                     try inline(inlinePlugin, "\(domain.dnsDomain):\(user):\(wrongPassword)"),
                     try inline(inlinePlugin, "\(domain.dnsDomain):OutsiderUser01:\(outsiderPassword)"),
                     try inline("00000000-1111-2222-3333-444444444444", "\(wrongPassword)"),
                     #"{"credentialSpecName": "NoSuchSpec"}"#, #"{"credentialSpec": {"CmsPlugins": 7}}"#, #"{"credentialSpec": "#] {
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
            let outcome = try Command.run("ccgctl", ["fetch", "--credspec", spec, "--credentials", credentials + "/" + file,
                                                     "--dc", "\(domain.controller.hostName)=127.0.0.1",
                                                     "--keytab", scratch + "/ctl.keytab", "--ccache", scratch + "/ctl.cc"],
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

        var secrets = passwordSecrets("portable user's password", allowedPassword)
            + passwordSecrets("outsider's password", outsiderPassword)
            + passwordSecrets("wrong password", wrongPassword)
        for account in ["WebApp01$", "WebApp02$"] {
            secrets += try managedPasswordSecrets(account, domain) + keySecrets(account, domain)
        }
        XCTAssertGreaterThanOrEqual(secrets.count, 12)
        var found: [String] = []
        for secret in secrets {
            for (needle, bytes) in needles(secret) {
                for (place, data) in artifacts where data.range(of: bytes) != nil {
                    found.append("\(needle) in \(place)")
                }
            }
        }
        XCTAssertEqual(found, [], "secrets leaked")

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

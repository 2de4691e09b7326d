import Foundation
import TestSupport
import XCTest

/// A real ccgd against the test domain, configured as in its Kubernetes DaemonSet: the CredSpec
/// directory a ConfigMap volume and the credentials directory a Secret volume, both laid out and
/// updated as the kubelet's atomic writer does. No SIGHUP is ever sent.
final class KubernetesVolumeIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    /// `spec` (a CredSpec's text) with its PluginInput set to `input` and `more` added as further accounts.
    private func credSpec(_ spec: String, input: String, more: [String] = [], domain: TestDomain) throws -> String {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(spec.utf8)) as? [String: Any])
        var directory = try XCTUnwrap(object["ActiveDirectoryConfig"] as? [String: Any])
        var host = try XCTUnwrap(directory["HostAccountConfig"] as? [String: Any])
        host["PluginInput"] = input
        directory["HostAccountConfig"] = host
        var accounts = try XCTUnwrap(directory["GroupManagedServiceAccounts"] as? [[String: Any]])
        accounts += more.map { ["Name": $0, "Scope": domain.dnsDomain] }
        directory["GroupManagedServiceAccounts"] = accounts
        object["ActiveDirectoryConfig"] = directory
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    private func waitFor(_ text: String, in daemon: DaemonProcess) async throws {
        for _ in 0..<200 where !daemon.logText.contains(text) { try await Task.sleep(for: .milliseconds(100)) }
        XCTAssertTrue(daemon.logText.contains(text), "not logged within 20 s: \(text)\n\(daemon.logText)")
    }

    func testALeaseFollowsItsConfigMapAndReadsItsSecretWithoutAReload() async throws {
        let domain = try TestDomain.require()
        // The Secret: the portable user's credentials under the key portable-user, mode 0400 (defaultMode: 0400), on a 1777 root.
        let secret = try AtomicWriterVolume(at: try temporaryDirectory("secret") + "/credentials", mode: 0o1777)
        try secret.write(["portable-user": try String(contentsOfFile: domain.allowedCredentialsFile, encoding: .utf8)], mode: 0o400)
        let daemon = try DaemonProcess(domain: domain, credentialsDirectory: secret.path)
        self.daemon = daemon
        // The ConfigMap: WebApp01 and WebApp02, in place of the plain files DaemonProcess copied.
        let template = try String(contentsOfFile: domain.credSpecDirectory + "/WebApp01.json", encoding: .utf8)
        let second = try String(contentsOfFile: domain.credSpecDirectory + "/WebApp02.json", encoding: .utf8)
        for name in try FileManager.default.contentsOfDirectory(atPath: daemon.credSpecs) {
            try FileManager.default.removeItem(atPath: daemon.credSpecs + "/" + name)
        }
        let configMap = try AtomicWriterVolume(at: daemon.credSpecs)
        try configMap.write([
            "WebApp01.json": try credSpec(template, input: "portable-user", domain: domain),
            "WebApp02.json": try credSpec(second, input: "portable-user", domain: domain),
        ])
        try daemon.start()
        try await waitFor("watching the CredSpec directory", in: daemon)

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let id = try XCTUnwrap(lease["id"] as? String)
        XCTAssertEqual((lease["identities"] as? [[String: Any]])?.count, 1, "\(lease)")

        // kubectl edit configmap: WebApp01 gains WebApp02 as a further account.
        try configMap.write([
            "WebApp01.json": try credSpec(template, input: "portable-user", more: ["WebApp02"], domain: domain),
            "WebApp02.json": try credSpec(second, input: "portable-user", domain: domain),
        ])
        try await waitFor("lease follows its changed CredSpec", in: daemon)
        try await waitFor("CredSpec directory changed: changed WebApp01", in: daemon)
        let followed = try await daemon.request(.GET, "/v1/leases/\(id)")
        XCTAssertEqual(followed.status, 200, followed.text)
        XCTAssertEqual(
            (followed.object["identities"] as? [[String: Any]])?.map { $0["principal"] as? String },
            ["WebApp01$@\(domain.realm)", "WebApp02$@\(domain.realm)"], followed.text)

        // WebApp01 taken out of the ConfigMap: its lease ends.
        try configMap.write(["WebApp02.json": try credSpec(second, input: "portable-user", domain: domain)])
        try await waitFor("CredSpec directory changed: removed WebApp01", in: daemon)
        let gone = try await daemon.request(.GET, "/v1/leases/\(id)")
        XCTAssertEqual(gone.status, 404, gone.text)
        XCTAssertFalse(daemon.logText.contains("configuration reloaded"), "no reload took part: \(daemon.logText)")

        // After the Secret's update (its file behind a new ..data) the other CredSpec is still served.
        try secret.write(["portable-user": try String(contentsOfFile: domain.allowedCredentialsFile, encoding: .utf8)], mode: 0o400)
        let again = try await daemon.createLease(#"{"credentialSpecName": "WebApp02"}"#)
        XCTAssertEqual((again["identities"] as? [[String: Any]])?.count, 1, "\(again)")
    }
}

import CCGPlugin
import Configuration
import CredSpec
import Foundation
import TestSupport
import XCTest
import DirectoryPipeline
import PluginHost

/// The portable user's credentials reach the DC through a configured executable plug-in,
/// chosen by the CredSpec's PluginGUID, as on Windows through a COM class.
final class PluginIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("plugins", mode: 0o755)
    }

    func testExecutablePluginNamedByTheCredSpecSuppliesThePortableUser() async throws {
        let domain = try TestDomain.require()
        // The plug-in reads the path in PluginInput and answers with the credentials file's JSON.
        let script = directory + "/vault-helper"
        try """
        #!/bin/sh
        input=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["pluginInput"])')
        exec cat "$input"
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let guid = "859E1386-BDB4-49E8-85C7-3070B13920E1"
        let configuration = try ServiceConfiguration(
            text: """
                [plugin "{\(guid)}"]
                name = vault helper
                executable = \(script)
                timeout = 5s
                """, file: "ccgd.conf")
        let registry = try PluginRegistry(configuration: configuration)
        XCTAssertEqual(Set(registry.all.map(\.name)), ["file", "vault helper"])

        var text = try String(contentsOfFile: "\(domain.credSpecDirectory)/WebApp01.json", encoding: .utf8)
        text = text.replacingOccurrences(of: domain["FILE_PLUGIN_GUID"], with: guid)
        let spec = try CredentialSpec(jsonData: Data(text.utf8))
        let credential = try await registry.credentials(for: spec)
        XCTAssertEqual(credential.username, domain["ALLOWED_USER"])

        let result = try ManagedAccountFetcher(settings: DomainSettings(controllers: [domain.controller])).fetch(spec, credential: credential)
        XCTAssertEqual(result.portableUser, "\(domain["ALLOWED_USER"])@\(domain.realm)")
        XCTAssertEqual(result.accounts.first?.samAccountName, "WebApp01$")
    }
}

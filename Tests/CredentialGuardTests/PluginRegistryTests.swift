import CCGPlugin
import CredSpec
import CredentialGuard
import Foundation
import XCTest

final class PluginRegistryTests: XCTestCase {
    private func spec(guid: String, input: String = "/nonexistent") throws -> CredentialSpec {
        let json = """
            {"CmsPlugins": ["ActiveDirectory"],
             "DomainJoinConfig": {"Sid": "S-1-5-21-1-2-3", "MachineAccountName": "WebApp01", "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                                  "DnsTreeName": "contoso.com", "DnsName": "contoso.com", "NetBiosName": "CONTOSO"},
             "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [{"Name": "WebApp01", "Scope": "contoso.com"}],
                                       "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "\(guid)", "PluginInput": "\(input)"}}}
            """
        return try CredentialSpec(jsonData: Data(json.utf8))
    }

    private struct Fixed: DomainAuthCredentials {
        let credential: DomainCredential
        func passwordCredentials(pluginInput: String) async throws -> DomainCredential { credential }
    }

    func testUnknownGUIDNamesItAndListsTheRegisteredOnes() async throws {
        do {
            _ = try await PluginRegistry.builtIn().credentials(for: try spec(guid: "{859E1386-BDB4-49E8-85C7-3070B13920E1}"))
            XCTFail("no error")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.code, .pluginUnknown)
            XCTAssertEqual("\(error)", "no plug-in is registered for PluginGUID {859E1386-BDB4-49E8-85C7-3070B13920E1} (registered: {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}); register one in the configuration or fix the CredSpec.")
        }
    }

    func testGUIDIsMatchedWithoutRegardToCaseOrBraces() async throws {
        var registry = PluginRegistry()
        let credential = DomainCredential(domainName: "CONTOSO", username: "u", password: Password("p"))
        registry.register(Fixed(credential: credential), for: PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1")!)
        let answer = try await registry.credentials(for: try spec(guid: "{859E1386-BDB4-49E8-85C7-3070B13920E1}"))
        XCTAssertEqual(answer, credential)
    }

    func testEmptyFieldsFromAPluginAreAFailureNamingIt() async throws {
        var registry = PluginRegistry()
        registry.register(Fixed(credential: DomainCredential(domainName: "CONTOSO", username: "", password: Password("p"))),
                          for: PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1")!)
        do {
            _ = try await registry.credentials(for: try spec(guid: "859E1386-BDB4-49E8-85C7-3070B13920E1"))
            XCTFail("no error")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.code, .pluginFailed)
            XCTAssertEqual("\(error)", "plug-in Fixed ({859E1386-BDB4-49E8-85C7-3070B13920E1}) failed: it returned an empty domain, user name or password")
        }
    }

    func testFilePluginFailureKeepsItsMessage() async throws {
        do {
            _ = try await PluginRegistry.builtIn().credentials(for: try spec(guid: "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", input: "/nonexistent/portable.json"))
            XCTFail("no error")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.code, .pluginFailed)
            XCTAssertTrue("\(error)".hasSuffix("failed: file plug-in: cannot open /nonexistent/portable.json: No such file or directory; check the path in PluginInput and that ccgd may read it."), "\(error)")
        }
    }
}

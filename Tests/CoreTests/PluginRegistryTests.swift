import CCGPlugin
import Configuration
import CredSpec
import Foundation
import InlinePlugin
import Logging
import TestSupport
import XCTest
import PluginHost

final class PluginRegistryTests: XCTestCase {
    private func spec(guid: String, input: String = "/nonexistent") throws -> CredentialSpec {
        var json = CredSpecJSON(domain: "contoso.com")
        json.pluginGUID = guid
        json.pluginInput = input
        return try json.credentialSpec()
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
            XCTAssertEqual(
                "\(error)",
                "no plug-in is registered for PluginGUID {859E1386-BDB4-49E8-85C7-3070B13920E1} (registered: {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}); register one in the configuration or fix the CredSpec."
            )
        }
    }

    func testGUIDIsMatchedWithoutRegardToCaseOrBraces() async throws {
        var registry = PluginRegistry()
        let credential = DomainCredential(domainName: "CONTOSO", username: "u", password: Password("p"))
        registry.register(Fixed(credential: credential), guid: PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1")!, name: "Fixed", origin: "test")
        let answer = try await registry.credentials(for: try spec(guid: "{859E1386-BDB4-49E8-85C7-3070B13920E1}"))
        XCTAssertEqual(answer, credential)
    }

    func testEmptyFieldsFromAPluginAreAFailureNamingIt() async throws {
        var registry = PluginRegistry()
        registry.register(
            Fixed(credential: DomainCredential(domainName: "CONTOSO", username: "", password: Password("p"))),
            guid: PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1")!, name: "Fixed", origin: "test")
        do {
            _ = try await registry.credentials(for: try spec(guid: "859E1386-BDB4-49E8-85C7-3070B13920E1"))
            XCTFail("no error")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.code, .pluginFailed)
            XCTAssertEqual("\(error)", "plug-in Fixed ({859E1386-BDB4-49E8-85C7-3070B13920E1}) failed: it returned an empty domain, user name or password.")
        }
    }

    func testFilePluginFailureKeepsItsMessage() async throws {
        do {
            _ = try await PluginRegistry.builtIn().credentials(
                for: try spec(guid: "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", input: "/nonexistent/portable.json"))
            XCTFail("no error")
        } catch let error as PluginHostError {
            XCTAssertEqual(error.code, .pluginFailed)
            XCTAssertTrue(
                "\(error)".hasSuffix(
                    "failed: file plug-in: PluginInput \"/nonexistent/portable.json\" is not in the credentials directory /etc/ccgd/credentials; move the file there and name it by its name, or set [plugins] credentials-directory."
                ), "\(error)")
        }
    }

    func testFilePluginReadsTheConfiguredCredentialsDirectory() async throws {
        let directory = try temporaryDirectory("registry", mode: 0o700)
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: directory + "/portable.cred", contents: Data("CONTOSO\\portable:pw".utf8), attributes: [.posixPermissions: 0o600]))
        var configuration = ServiceConfiguration()
        configuration.plugins.credentialsDirectory = directory
        let registry = try PluginRegistry(configuration: configuration)
        for input in ["portable.cred", directory + "/portable.cred"] {
            let credential = try await registry.credentials(for: try spec(guid: "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", input: input))
            XCTAssertEqual(credential.description, "CONTOSO\\portable")
        }
    }

    private struct Throwing: DomainAuthCredentials {
        func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
            throw PluginError(.notFound, "secret \(pluginInput) is not in the vault; create it.")
        }
    }

    /// Blocks a thread of its own and ignores cancellation, like a hung C plug-in.
    private struct Hung: DomainAuthCredentials {
        func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    Thread.sleep(forTimeInterval: 5); continuation.resume()
                }
            }
            return DomainCredential(domainName: "late", username: "late", password: Password("late"))
        }
    }

    private let guid = PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1")!

    func testThrowingPluginsMessageReachesTheCallerWithItsName() async throws {
        var registry = PluginRegistry()
        registry.register(Throwing(), guid: guid, name: "vault", origin: "test")
        do {
            _ = try await registry.credentials(guid: guid, pluginInput: "gmsa/webapp")
            XCTFail("no error")
        } catch {
            XCTAssertEqual(
                error, .failed(guid: "{859E1386-BDB4-49E8-85C7-3070B13920E1}", plugin: "vault", reason: "secret gmsa/webapp is not in the vault; create it."))
            XCTAssertEqual(error.code, .pluginFailed)
        }
    }

    func testHungPluginTimesOutWithoutWaitingForIt() async throws {
        var registry = PluginRegistry()
        registry.register(Hung(), guid: guid, name: "hung", origin: "test", timeout: .milliseconds(200))
        let started = ContinuousClock.now
        do {
            _ = try await registry.credentials(guid: guid, pluginInput: "x")
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error.code, .pluginTimeout)
            XCTAssertEqual(
                "\(error)",
                "plug-in hung ({859E1386-BDB4-49E8-85C7-3070B13920E1}) did not answer within 0.2 s; check the secret store it reads or raise its timeout.")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(4), "the caller does not wait for the hung call")
    }

    func testInlinePluginIsRefusedUnlessAllowed() async throws {
        let inline = PluginGUID("6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60")!
        do {
            _ = try await PluginRegistry.builtIn().credentials(guid: inline, pluginInput: "contoso.com:user:pw")
            XCTFail("no error")
        } catch {
            XCTAssertEqual(error.code, .pluginUnknown)
            XCTAssertEqual(
                "\(error)",
                "PluginGUID {6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60}: the inline plug-in is turned off because it reads a password from the CredSpec; set allow-inline = yes in [plugins] for tests and demos only."
            )
        }
    }

    func testAllowedInlinePluginAnswersAndWarnsInTheLog() async throws {
        let messages = CapturedLog()
        let logger = messages.logger()
        let registry = PluginRegistry.builtIn(allowInline: true, logger: logger)
        let credential = try await registry.credentials(guid: PluginGUID(InlinePlugin.guid)!, pluginInput: "contoso.com:user:pa:ss")
        XCTAssertEqual(credential, DomainCredential(domainName: "contoso.com", username: "user", password: Password("pa:ss")))
        XCTAssertEqual(messages.lines.count, 1)
        XCTAssertTrue(messages.lines[0].hasPrefix("warning plug-in used: the CredSpec carries a password"), messages.lines[0])
        XCTAssertFalse(messages.lines[0].contains("pa:ss"))
    }

    func testConcurrentCallsToOnePluginAreSafe() async throws {
        let registry = PluginRegistry.builtIn(allowInline: true)
        let inline = PluginGUID(InlinePlugin.guid)!
        let names = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<100 {
                group.addTask { try await registry.credentials(guid: inline, pluginInput: "d:user\(index):p").username }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(names.count, 100)
    }
}

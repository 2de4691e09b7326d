import CCGPlugin
import Foundation
import XCTest
import PluginHost

/// The example of docs/exec-plugins.md, Scripts/secrets-directory.sh, run as ccgd runs it.
final class ExecutablePluginExampleTests: ExecutablePluginTestCase {
    private var secrets = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        secrets = directory + "/secrets"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: false)
        try file("secrets/webapp01", "contoso.test\nStandardUser01\np\"a\\ss word\n", mode: 0o600)
    }

    private func example(environment: [String: String]? = nil) throws -> ExecutablePlugin {
        let source = try XCTUnwrap(Bundle.module.url(forResource: "secrets-directory", withExtension: "sh", subdirectory: "Scripts"))
        let path = try file("secrets-directory", try String(contentsOf: source, encoding: .utf8), mode: 0o755)
        return try plugin(path, arguments: [], environment: environment ?? ["SECRETS_DIRECTORY": secrets])
    }

    func testExampleAnswersWithTheCredentialsInItsDirectory() async throws {
        let credential = try await example().passwordCredentials(pluginInput: "webapp01")
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(credential.password, Password("p\"a\\ss word"))
    }

    func testExampleReportsAnUnknownAccountAsNotFound() async throws {
        let plugin = try example()
        let error = await failure(of: plugin, input: "webapp02")
        XCTAssertEqual(error as? PluginError, PluginError(.notFound, "executable plug-in \(plugin.path): no credentials named webapp02 in \(secrets)"))
    }

    func testExampleRefusesAPathAsInvalidInput() async throws {
        let plugin = try example()
        let error = await failure(of: plugin, input: "../webapp01")
        XCTAssertEqual(error as? PluginError, PluginError(.invalidInput, "executable plug-in \(plugin.path): PluginInput must be a plain account name"))
    }

    func testExampleWithoutItsDirectoryFailsWithTheShellsWords() async throws {
        let plugin = try example(environment: [:])
        let message = await message(of: plugin)
        XCTAssertEqual(
            message, "executable plug-in \(plugin.path) exited with status 2 without an error answer; see the daemon's log for the plug-in's output (stderr).")
        XCTAssertTrue(log.lines.contains { $0.contains("SECRETS_DIRECTORY: parameter not set") }, "\(log.lines)")
    }
}

import CCGPlugin
import XCTest

final class SharedObjectPluginLoadingTests: XCTestCase {
    private var directory: PluginDirectory!

    override func setUpWithError() throws { directory = try PluginDirectory() }
    override func tearDown() { directory.remove() }

    func testSwiftSampleLoadsAndAnswersWithTheUserAndDomainOfItsInput() async throws {
        let plugin = try loadPlugin(try directory.swiftSample())
        XCTAssertEqual(plugin.name, "Sample Swift plug-in")
        let credential = try await plugin.passwordCredentials(pluginInput: "webapp-reader@contoso.com")
        XCTAssertEqual(credential, DomainCredential(domainName: "contoso.com", username: "webapp-reader", password: Password(samplePassword)))
    }

    func testCSampleLoadsAndAnswersWithTheUserAndDomainOfItsInput() async throws {
        let plugin = try loadPlugin(try directory.cSample())
        XCTAssertEqual(plugin.name, "Sample C plug-in")
        let credential = try await plugin.passwordCredentials(pluginInput: "webapp-reader@contoso.com")
        XCTAssertEqual(credential, DomainCredential(domainName: "contoso.com", username: "webapp-reader", password: Password(samplePassword)))
    }

    func testDescriptionNamesThePluginAndItsPath() throws {
        let path = try directory.cSample()
        XCTAssertEqual("\(try loadPlugin(path))", "shared-object plug-in \"Sample C plug-in\" (\(path))")
    }

    func testLoadingTheSameFileTwiceGivesTwoWorkingPlugins() async throws {
        let path = try directory.swiftSample()
        let first = try loadPlugin(path), second = try loadPlugin(path)
        let answers = try await (first.passwordCredentials(pluginInput: "a@one.test"), second.passwordCredentials(pluginInput: "b@two.test"))
        XCTAssertEqual(answers.0.username, "a")
        XCTAssertEqual(answers.1.domainName, "two.test")
    }

    func testJSONPluginInputReachesThePluginUnchanged() async throws {
        let plugin = try loadPlugin(try directory.cSample())
        let input = #"{"credentialArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gmsa", "region": "eu-west-1"}"#
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: input) }
        XCTAssertEqual(error, PluginError(.invalidInput, "sample plug-in: input \"\(input)\" is not user@domain; give the user and domain to answer with."))
    }

    func testNonASCIINamesComeThroughAsUTF8() async throws {
        let plugin = try loadPlugin(try directory.cSample())
        let credential = try await plugin.passwordCredentials(pluginInput: "jürgen.müller@bücher.example")
        XCTAssertEqual(credential.username, "jürgen.müller")
        XCTAssertEqual(credential.domainName, "bücher.example")
    }
}

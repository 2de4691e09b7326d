import CCGPlugin
import XCTest
import PluginHost

final class SharedObjectPluginCallTests: XCTestCase {
    private var directory: PluginDirectory!

    override func setUpWithError() throws { directory = try PluginDirectory() }
    override func tearDown() { directory.remove() }

    func testCPluginErrorCodesAndMessagesComeThrough() async throws {
        let plugin = try loadPlugin(try directory.cSample())
        for code in [PluginError.Code.invalidInput, .notFound, .accessDenied, .unavailable, .malformedSecret, .failed] {
            let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "fail:\(code.rawValue)") }
            XCTAssertEqual(error, PluginError(code, "sample plug-in: asked to fail with \(code.rawValue)."))
        }
    }

    func testSwiftPluginErrorKeepsItsCodeAndMessage() async throws {
        let plugin = try loadPlugin(try directory.swiftSample())
        for code in [PluginError.Code.invalidInput, .notFound, .accessDenied, .unavailable, .malformedSecret, .failed] {
            let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "fail:\(code.rawValue)") }
            XCTAssertEqual(error, PluginError(code, "sample plug-in: asked to fail with \(code.rawValue)."))
        }
    }

    func testSwiftErrorThatIsNotAPluginErrorBecomesFailedWithItsDescription() async throws {
        let plugin = try loadPlugin(try directory.swiftSample())
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "fail:other") }
        XCTAssertEqual(error, PluginError(.failed, "sample plug-in: a Swift error that is not a PluginError."))
    }

    func testErrorWithoutMessageGetsOneNamingTheCodeAndThePlugin() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "silent:access_denied") }
        XCTAssertEqual(
            error,
            PluginError(
                .accessDenied, "shared-object plug-in \"Sample C plug-in\" (\(path)) failed with access_denied and gave no reason; see its documentation."))
    }

    func testUnknownErrorCodeBecomesFailedAndKeepsTheMessage() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "fail:42") }
        XCTAssertEqual(
            error,
            PluginError(
                .failed, "shared-object plug-in \"Sample C plug-in\" (\(path)) failed with unknown error code 42: sample plug-in: asked to fail with 42."))
        let silent = await pluginError { try await plugin.passwordCredentials(pluginInput: "silent:-1") }
        XCTAssertEqual(
            silent, PluginError(.failed, "shared-object plug-in \"Sample C plug-in\" (\(path)) failed with unknown error code -1; see its documentation."))
    }

    func testFiftyConcurrentCallsToTheCPluginEachGetTheirOwnAnswer() async throws {
        try await checkFiftyConcurrentCalls(try loadPlugin(try directory.cSample()))
    }

    func testFiftyConcurrentCallsToTheSwiftPluginEachGetTheirOwnAnswer() async throws {
        try await checkFiftyConcurrentCalls(try loadPlugin(try directory.swiftSample()))
    }

    private func checkFiftyConcurrentCalls(_ plugin: SharedObjectPlugin) async throws {
        let answers = try await withThrowingTaskGroup(of: (Int, DomainCredential).self) { group in
            for index in 0..<50 {
                group.addTask { (index, try await plugin.passwordCredentials(pluginInput: "user\(index)@domain\(index).test")) }
            }
            return try await group.reduce(into: [Int: DomainCredential]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(answers.count, 50)
        for (index, credential) in answers {
            XCTAssertEqual(credential, DomainCredential(domainName: "domain\(index).test", username: "user\(index)", password: Password(samplePassword)))
        }
    }

    /// Each call has a thread of its own: hung calls, more than the cooperative pool has threads, hold up nothing.
    func testHungCallsDoNotHoldUpOtherCalls() async throws {
        for plugin in [try loadPlugin(try directory.cSample()), try loadPlugin(try directory.swiftSample())] {
            for _ in 0..<4 {
                Task { _ = try? await plugin.passwordCredentials(pluginInput: "hang") }
            }
            let credential = try await plugin.passwordCredentials(pluginInput: "after@hang.test")
            XCTAssertEqual(credential.username, "after")
        }
    }

    func testEmptyPasswordIsRefused() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "empty-password") }
        XCTAssertEqual(
            error,
            PluginError(
                .malformedSecret, "shared-object plug-in \"Sample C plug-in\" (\(path)) returned an empty password; fix the plug-in or the secret it reads."))
    }

    func testUserNameThatIsNotUTF8IsRefused() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "bad-utf8-user") }
        XCTAssertEqual(
            error,
            PluginError(
                .malformedSecret,
                "shared-object plug-in \"Sample C plug-in\" (\(path)) returned a user name that is not valid UTF-8; fix the plug-in or the secret it reads."))
    }

    func testPasswordThatIsNotUTF8IsRefusedWithoutShowingIt() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "bad-utf8-password") }
        XCTAssertEqual(
            error,
            PluginError(
                .malformedSecret,
                "shared-object plug-in \"Sample C plug-in\" (\(path)) returned a password that is not valid UTF-8; fix the plug-in or the secret it reads."))
        XCTAssertFalse(error?.message.contains("sample-") ?? true)
    }

    func testSwiftPasswordWithNULIsRefusedByTheExportHelper() async throws {
        let plugin = try loadPlugin(try directory.swiftSample())
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "nul-password") }
        XCTAssertEqual(error, PluginError(.malformedSecret, "the plug-in returned a password with a NUL character, which the C ABI cannot carry."))
    }

    func testInputWithNULIsRefusedBeforeThePluginSeesIt() async throws {
        let path = try directory.cSample()
        let plugin = try loadPlugin(path)
        let error = await pluginError { try await plugin.passwordCredentials(pluginInput: "user@contoso.com\0fail:failed") }
        XCTAssertEqual(
            error,
            PluginError(
                .invalidInput,
                "the plug-in input holds a NUL character, which shared-object plug-in \"Sample C plug-in\" (\(path)) cannot receive; fix PluginInput in the CredSpec."
            ))
    }

    func testPasswordNeverShowsInTheCredentialDescriptionOrDump() async throws {
        let plugin = try loadPlugin(try directory.cSample())
        let credential = try await plugin.passwordCredentials(pluginInput: "user@contoso.com")
        var dumped = ""
        dump(credential, to: &dumped)
        for text in ["\(credential)", String(reflecting: credential), "\(credential.password)", dumped] {
            XCTAssertFalse(text.contains(samplePassword), "the password shows in \(text)")
        }
        XCTAssertEqual("\(credential)", "contoso.com\\user")
    }
}

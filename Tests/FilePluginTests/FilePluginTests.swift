import CCGPlugin
import FilePlugin
import Foundation
import XCTest

final class FilePluginTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "/ccgd-fileplugin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func file(_ name: String, _ content: String, mode: Int = 0o600) throws -> String {
        let path = directory + "/" + name
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func testJSONCredentialsAreRead() throws {
        let path = try file("user.json", #"{"domainName": "contoso.test", "username": "StandardUser01", "password": "p:a\"ss\n"}"#)
        let credential = try FilePlugin().read(pluginInput: path)
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(credential.password, Password("p:a\"ss\n"))
    }

    func testBackslashFormatKeepsColonsInThePasswordAndDropsOneNewline() throws {
        let path = try file("user.cred", "CONTOSO\\StandardUser01:pa:ss word \n")
        let credential = try FilePlugin().read(pluginInput: path)
        XCTAssertEqual(credential.domainName, "CONTOSO")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(credential.password, Password("pa:ss word "))
    }

    func testUserAtDomainFormatIsRead() throws {
        let path = try file("user.cred", "StandardUser01@contoso.test:secret\r\n")
        let credential = try FilePlugin().read(pluginInput: path)
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(credential.password, Password("secret"))
    }

    func testSystemdCredentialIsReadFromCredentialsDirectory() throws {
        try file("portable-user", "CONTOSO\\u:p")
        let credential = try FilePlugin(credentialsDirectory: directory).read(pluginInput: "credential:portable-user")
        XCTAssertEqual(credential.username, "u")
    }

    func testFileReadableByOthersIsRefusedLikeSSHKeys() throws {
        let path = try file("open.cred", "CONTOSO\\u:p", mode: 0o644)
        XCTAssertEqual(message { _ = try FilePlugin().read(pluginInput: path) },
                       "file plug-in: \(path) is accessible by group or others (mode 644); run chmod 600 \(path).")
    }

    func testMissingFileSaysSo() {
        XCTAssertEqual(message { _ = try FilePlugin().read(pluginInput: directory + "/nope") },
                       "file plug-in: cannot open \(directory)/nope: No such file or directory; check the path in PluginInput and that ccgd may read it.")
    }

    func testRelativePathIsRefused() {
        XCTAssertEqual(message { _ = try FilePlugin().read(pluginInput: "user.json") },
                       "file plug-in: PluginInput \"user.json\" is not an absolute path or credential:NAME; give the full path of the credentials file.")
    }

    func testCredentialWithoutCredentialsDirectoryExplainsLoadCredential() {
        XCTAssertEqual(message { _ = try FilePlugin(credentialsDirectory: nil).read(pluginInput: "credential:gmsa") },
                       "file plug-in: credential:gmsa needs $CREDENTIALS_DIRECTORY, which is unset; add LoadCredential=gmsa:PATH to the service or give a file path.")
        XCTAssertTrue(message { _ = try FilePlugin(credentialsDirectory: directory).read(pluginInput: "credential:../x") }.contains("does not name a systemd credential"))
    }

    func testMalformedContentsGetTheirOwnMessages() throws {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("CONTOSO\\user", "has no \":\" between user and password"),
            ("CONTOSO\\user:", "has an empty password"),
            ("user:password", "names no domain for user \"user\""),
            ("\\user:password", "has an empty or malformed user or domain"),
            ("{\"username\": \"u\", \"password\": \"p\"}", "has no non-empty string \"domainName\""),
            ("{not json", "starts with { but is not a JSON object"),
        ]
        for (index, (content, expected)) in cases.enumerated() {
            let path = try file("case\(index)", content)
            let text = message { _ = try FilePlugin().read(pluginInput: path) }
            XCTAssertTrue(text.contains(expected), "\(content.debugDescription): \(text)")
            XCTAssertTrue(text.hasPrefix("file plug-in: \(path)"), text)
        }
    }

    func testErrorsNeverContainThePassword() throws {
        let path = try file("bad.json", #"{"domainName": "d", "username": "", "password": "TopSecret123"}"#)
        XCTAssertFalse(message { _ = try FilePlugin().read(pluginInput: path) }.contains("TopSecret123"))
    }
}

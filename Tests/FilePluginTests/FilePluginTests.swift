import CCGPlugin
import FilePlugin
import Foundation
import TestSupport
import XCTest

final class FilePluginTests: XCTestCase {
    /// The credentials directory: created 0700 by the user the tests run as (root in CI).
    private var directory = ""
    /// Somewhere else, as an attacker who can write a CredSpec would point at.
    private var elsewhere = ""

    override func setUpWithError() throws {
        let base = try temporaryDirectory("fileplugin")
        directory = base + "/credentials"
        elsewhere = base + "/elsewhere"
        for path in [directory, elsewhere] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    private var plugin: FilePlugin { FilePlugin(directory: directory, systemdCredentialsDirectory: nil) }

    @discardableResult
    private func file(_ name: String, _ content: String, mode: Int = 0o600, in folder: String? = nil) throws -> String {
        let path = (folder ?? directory) + "/" + name
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    private func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    private func bytes(_ password: Password) -> [UInt8] { password.withUTF8 { Array($0) } }

    func testJSONCredentialsAreReadByNameAndByPathInTheDirectory() throws {
        let path = try file("user.json", #"{"domainName": "contoso.test", "username": "StandardUser01", "password": "p:a\"ss\n"}"#)
        for input in ["user.json", path, "  user.json\n"] {
            let credential = try plugin.read(pluginInput: input)
            XCTAssertEqual(credential.domainName, "contoso.test")
            XCTAssertEqual(credential.username, "StandardUser01")
            XCTAssertEqual(credential.password, Password("p:a\"ss\n"))
        }
    }

    func testJSONEscapesBecomeThePasswordsBytes() throws {
        // \n, \", \\, \/, \u00e9 (é), a surrogate pair (U+1F600), and UTF-8 as it is.
        try file("escapes.json", #"{"DomainName": "contoso.test", "username": "u", "password": "a\nb\"c\\d\/e\u00e9f\ud83d\ude00g\#u{00FC}"}"#)
        let credential = try plugin.read(pluginInput: "escapes.json")
        XCTAssertEqual(bytes(credential.password), Array("a\nb\"c\\d/eéf😀gü".utf8))
    }

    func testBackslashFormatKeepsColonsInThePasswordAndDropsOneNewline() throws {
        try file("user.cred", "CONTOSO\\StandardUser01:pa:ss word \n")
        let credential = try plugin.read(pluginInput: "user.cred")
        XCTAssertEqual(credential.domainName, "CONTOSO")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(bytes(credential.password), Array("pa:ss word ".utf8))
    }

    func testUserAtDomainFormatIsRead() throws {
        try file("user.cred", "StandardUser01@contoso.test:s\u{e9}cret\r\n")
        let credential = try plugin.read(pluginInput: "user.cred")
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(bytes(credential.password), Array("s\u{e9}cret".utf8))
    }

    func testSystemdCredentialIsReadFromCredentialsDirectory() throws {
        try file("portable-user", "CONTOSO\\u:p", mode: 0o400, in: elsewhere)
        let credential = try FilePlugin(directory: directory, systemdCredentialsDirectory: elsewhere).read(pluginInput: "credential:portable-user")
        XCTAssertEqual(credential.username, "u")
    }

    // Issue 15: a CredSpec could name any file ccgd (root) can read.

    func testAFileOutsideTheCredentialsDirectoryIsRefused() throws {
        let path = try file("user.cred", "CONTOSO\\u:p", in: elsewhere)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: path) },
            "file plug-in: PluginInput \"\(path)\" is not in the credentials directory \(directory); move the file there and name it by its name, or set [plugins] credentials-directory."
        )
        for input in ["../elsewhere/user.cred", directory + "/../elsewhere/user.cred", "sub/user.cred", "..", "relative/../user.cred"] {
            XCTAssertTrue(message { _ = try plugin.read(pluginInput: input) }.hasPrefix("file plug-in: PluginInput \"\(input)\" is not"), input)
        }
    }

    func testASymbolicLinkOutOfTheDirectoryIsNotFollowed() throws {
        let target = try file("user.cred", "CONTOSO\\u:p", in: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.cred", withDestinationPath: target)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "link.cred") },
            "file plug-in: PluginInput \"link.cred\": \(directory)/link.cred points to \(target), outside \(directory), and is not followed; put the credentials file itself there, or a relative link to a file inside it."
        )
    }

    // Issue 21: a Kubernetes Secret volume as the credentials directory.

    /// The credentials directory as a Secret volume: a tmpfs root of mode 1777, the kubelet's layout in it.
    private func secretVolume(_ files: [String: String], mode: Int = 0o400) throws -> AtomicWriterVolume {
        let volume = try AtomicWriterVolume(at: directory, mode: 0o1777)
        try volume.write(files, mode: mode)
        return volume
    }

    func testASecretVolumesKeyIsReadThroughItsLinksAndAnUpdateIsSeen() throws {
        let volume = try secretVolume(["portable-user": "CONTOSO\\first:p"])
        XCTAssertEqual(try plugin.read(pluginInput: "portable-user").username, "first")
        XCTAssertEqual(try plugin.read(pluginInput: directory + "/portable-user").username, "first")
        try volume.write(["portable-user": "CONTOSO\\second:p"], mode: 0o400)
        XCTAssertEqual(try plugin.read(pluginInput: "portable-user").username, "second")
    }

    func testASecretVolumesDefaultMode644IsRefusedWithTheFix() throws {
        let volume = try secretVolume(["portable-user": "CONTOSO\\u:p"], mode: 0o644)
        let path = directory + "/" + volume.dataDirectory! + "/portable-user"
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "portable-user") },
            "file plug-in: PluginInput \"portable-user\": \(path) has mode 644, not 600 or 400; run chmod 600 \(path) (a Kubernetes Secret volume: set defaultMode: 0400)."
        )
    }

    func testLinksLeavingASecretVolumeAreRefusedAbsoluteDotDotOrChained() throws {
        let volume = try secretVolume(["portable-user": "CONTOSO\\u:p"])
        let outside = try file("user.cred", "CONTOSO\\u:p", in: elsewhere)
        XCTAssertEqual(symlink(outside, directory + "/absolute"), 0)
        XCTAssertEqual(symlink("../elsewhere/user.cred", directory + "/dotdot"), 0)
        // A chain whose every hop looks local: chained -> ..data/hop, and hop leaves from there.
        XCTAssertEqual(symlink("../../elsewhere/user.cred", directory + "/" + volume.dataDirectory! + "/hop"), 0)
        XCTAssertEqual(symlink("..data/hop", directory + "/chained"), 0)
        for (input, link, target) in [
            ("absolute", directory + "/absolute", outside), ("dotdot", directory + "/dotdot", "../elsewhere/user.cred"),
            ("chained", directory + "/" + volume.dataDirectory! + "/hop", "../../elsewhere/user.cred"),
        ] {
            XCTAssertEqual(
                message { _ = try plugin.read(pluginInput: input) },
                "file plug-in: PluginInput \"\(input)\": \(link) points to \(target), outside \(directory), and is not followed; put the credentials file itself there, or a relative link to a file inside it."
            )
        }
    }

    func testAFileLyingInAStickyDirectoryItselfIsRefused() throws {
        _ = try secretVolume(["portable-user": "CONTOSO\\u:p"])
        // Anyone may add a name to a 1777 directory (a hard link to a root-owned file, say).
        let path = try file("planted", "CONTOSO\\u:p", mode: 0o400)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "planted") },
            "file plug-in: PluginInput \"planted\": \(path) is in \(directory), which group or others may write (mode 1777), so anyone could have put it there; keep credentials files in a directory only root writes (chmod 700 \(directory))."
        )
    }

    func testALinkSomeoneElseOwnsInAStickyDirectoryIsNotFollowed() throws {
        try XCTSkipUnless(geteuid() == 0, "only root can give a link away")
        _ = try secretVolume(["portable-user": "CONTOSO\\u:p"])
        XCTAssertEqual(symlink("..data/portable-user", directory + "/planted"), 0)
        XCTAssertEqual(lchown(directory + "/planted", 4242, 4242), 0)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "planted") },
            "file plug-in: PluginInput \"planted\": \(directory)/planted is a symbolic link owned by uid 4242, not root, so it is not followed; run chown -h root \(directory)/planted."
        )
    }

    func testOnlyMode600Or400IsAccepted() throws {
        for mode in [0o644, 0o640, 0o700, 0o604, 0o200] {
            let path = try file("m\(mode).cred", "CONTOSO\\u:p", mode: mode)
            XCTAssertEqual(
                message { _ = try plugin.read(pluginInput: "m\(mode).cred") },
                "file plug-in: PluginInput \"m\(mode).cred\": \(path) has mode \(String(mode, radix: 8)), not 600 or 400; run chmod 600 \(path).")
        }
        try file("ro.cred", "CONTOSO\\u:p", mode: 0o400)
        XCTAssertEqual(try plugin.read(pluginInput: "ro.cred").username, "u")
    }

    func testAFileOwnedBySomeoneElseIsRefused() throws {
        try XCTSkipUnless(geteuid() == 0, "only root can give a file away")
        let path = try file("theirs.cred", "CONTOSO\\u:p")
        XCTAssertEqual(chown(path, 4242, 4242), 0)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "theirs.cred") },
            "file plug-in: PluginInput \"theirs.cred\": \(path) is owned by uid 4242, not root; run chown root \(path).")
    }

    func testADirectoryOthersMayWriteOrOwnIsRefused() throws {
        try file("user.cred", "CONTOSO\\u:p")
        XCTAssertEqual(chmod(directory, 0o777), 0)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "user.cred") },
            "file plug-in: PluginInput \"user.cred\": the credentials directory \(directory) is writable by group or others (mode 777); run chmod 700 \(directory)."
        )
        XCTAssertEqual(chmod(directory, 0o700), 0)
        try XCTSkipUnless(geteuid() == 0, "only root can give a directory away")
        XCTAssertEqual(chown(directory, 4242, 4242), 0)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "user.cred") },
            "file plug-in: PluginInput \"user.cred\": the credentials directory \(directory) is owned by uid 4242, not root; run chown root \(directory).")
    }

    func testAFIFOIsRefusedWithoutWaitingForAWriter() throws {
        XCTAssertEqual(mkfifo(directory + "/pipe", 0o600), 0)
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "pipe") },
            "file plug-in: PluginInput \"pipe\": \(directory)/pipe is not a regular file; name the credentials file itself.")
    }

    func testMissingFileAndDirectorySaySo() {
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "nope") },
            "file plug-in: PluginInput \"nope\": cannot open \(directory)/nope: No such file or directory; check the name in PluginInput and that the file exists."
        )
        XCTAssertEqual(
            message { _ = try FilePlugin(directory: directory + "/none").read(pluginInput: "x") },
            "file plug-in: PluginInput \"x\": cannot open the credentials directory \(directory)/none: No such file or directory; create it with install -d -m 700 -o root \(directory)/none, or set [plugins] credentials-directory."
        )
    }

    func testCredentialWithoutCredentialsDirectoryExplainsLoadCredential() {
        XCTAssertEqual(
            message { _ = try plugin.read(pluginInput: "credential:gmsa") },
            "file plug-in: PluginInput \"credential:gmsa\" needs $CREDENTIALS_DIRECTORY, which is unset; add LoadCredential=gmsa:PATH to the service or name a file in \(directory)."
        )
        XCTAssertTrue(
            message { _ = try FilePlugin(directory: directory, systemdCredentialsDirectory: elsewhere).read(pluginInput: "credential:../x") }
                .contains("does not name a systemd credential"))
    }

    func testOperatorsOwnFileIsReadFromAnyDirectoryButStillChecked() throws {
        let path = try file("mine.cred", "CONTOSO\\u:p", in: elsewhere)
        XCTAssertEqual(try FilePlugin.read(credentialsFile: path).username, "u")
        let open = try file("open.cred", "CONTOSO\\u:p", mode: 0o644, in: elsewhere)
        XCTAssertEqual(
            message { _ = try FilePlugin.read(credentialsFile: open) },
            "file plug-in: \(open): \(open) has mode 644, not 600 or 400; run chmod 600 \(open).")
    }

    // Issue 15: a malformed file is described by its shape, never by its text.

    func testMalformedContentsAreDescribedWithoutQuotingThem() throws {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("CONTOSO\\Marker", "line 1 has no \":\" between user and password"),
            ("CONTOSO\\Marker:", "line 1 has an empty password"),
            ("Marker:password", "line 1 has no \\ or @ before the \":\""),
            ("\\Marker:password", "line 1 has an empty domain or user"),
            ("Marker\\us\\er:password", "a user with a second \\ or @"),
            ("{\"username\": \"Marker\", \"password\": \"p\"}", "has no non-empty string \"domainName\""),
            ("{\"domainName\": \"d\", \"username\": \"u\", \"password\": 7}", "has no non-empty string \"password\""),
            ("{not json Marker", "starts with { but is not a JSON object (expected a member name at byte 2)"),
            ("{\"domainName\": \"d\", \"username\": \"u\", \"password\": \"Marker\\q\"}", "(an unknown escape at byte"),
            ("{\"domainName\": \"d\", \"username\": \"u\", \"password\": \"Marker\u{01}\"}", "(a control character in a string at byte"),
            ("{\"domainName\": \"d\", \"username\": \"u\", \"password\": \"Marker\\u12\"}", "(a malformed \\u escape at byte"),
            ("{\"domainName\": \"d\", \"username\": \"u\", \"password\": \"Marker\"} Marker", "(text after the JSON value at byte"),
        ]
        for (index, (content, expected)) in cases.enumerated() {
            try file("case\(index)", content)
            let text = message { _ = try plugin.read(pluginInput: "case\(index)") }
            XCTAssertTrue(text.contains(expected), "\(content.debugDescription): \(text)")
            XCTAssertTrue(text.hasPrefix("file plug-in: PluginInput \"case\(index)\""), text)
            XCTAssertFalse(text.contains("Marker"), text)
        }
    }

    func testErrorsNeverContainThePassword() throws {
        try file("bad.json", #"{"domainName": "d", "username": "", "password": "TopSecret123"}"#)
        XCTAssertFalse(message { _ = try plugin.read(pluginInput: "bad.json") }.contains("TopSecret123"))
    }
}

import CredentialGuard
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Only a program nobody but root could have changed runs, with settings that make sense.
final class ExecutablePluginFileTests: ExecutablePluginTestCase {
    private let answer = #"echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'"#

    func testGroupWritableScriptIsRefused() throws {
        let path = try script("vault", answer, mode: 0o775)
        XCTAssertEqual(message { _ = try plugin(path) }, "executable plug-in \(path) is writable by group or others (mode 775); run chmod go-w \(path).")
    }

    func testWorldWritableScriptIsRefused() throws {
        let path = try script("vault", answer, mode: 0o757)
        XCTAssertThrowsError(try plugin(path)) { XCTAssertEqual($0 as? ExecutablePluginError, .refused(.writableByOthers(path: path, kind: "executable", mode: 0o757))) }
    }

    func testRelativePathIsRefused() {
        XCTAssertEqual(message { _ = try ExecutablePlugin(path: "plugins/vault") },
                       "executable plug-in path plugins/vault is not absolute; give the full path of the plug-in.")
    }

    func testMissingFileIsRefused() {
        let path = directory + "/missing"
        XCTAssertEqual(message { _ = try plugin(path) }, "cannot inspect executable plug-in \(path): No such file or directory; check the path and that ccgd may read it.")
    }

    func testFileWithoutExecutePermissionIsRefused() throws {
        let path = try script("vault", answer, mode: 0o644)
        XCTAssertEqual(message { _ = try plugin(path) }, "executable plug-in \(path) is not executable; run chmod 755 \(path).")
    }

    func testDirectoryIsRefused() throws {
        let path = directory + "/plugins"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        XCTAssertEqual(message { _ = try plugin(path) }, "executable plug-in \(path) is not a regular file; give the path of the plug-in file itself.")
    }

    func testScriptInWritableDirectoryIsRefused() throws {
        let path = try script("vault", answer)
        chmod(directory, 0o777)
        XCTAssertEqual(message { _ = try plugin(path) },
                       "the directory \(directory) of executable plug-in \(path) is writable by group or others (mode 777); move the plug-in to a directory only root may write to.")
    }

    func testSymbolicLinkIntoWritableDirectoryIsRefused() throws {
        let writable = directory + "/writable"
        try FileManager.default.createDirectory(atPath: writable, withIntermediateDirectories: false)
        chmod(writable, 0o1777)
        let target = try script("writable/vault", answer)
        let link = directory + "/vault"
        XCTAssertEqual(symlink(target, link), 0)
        XCTAssertThrowsError(try plugin(link)) {
            XCTAssertEqual($0 as? ExecutablePluginError, .refused(.directoryWritableByOthers(directory: writable, path: link, kind: "executable", mode: 0o1777)))
        }
    }

    func testScriptNotOwnedByRootIsRefused() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to give the script away")
        let path = try script("vault", answer)
        XCTAssertEqual(chown(path, 65534, 65534), 0)
        XCTAssertEqual(message { _ = try ExecutablePlugin(path: path) }, "executable plug-in \(path) is owned by uid 65534, not root; run chown root \(path) if you trust it.")
        XCTAssertNoThrow(try ExecutablePlugin(path: path, requireRootOwnership: false))
    }

    func testFileIsCheckedAgainOnEveryCall() async throws {
        let path = try script("vault", answer)
        let plugin = try plugin(path)
        chmod(path, 0o777)
        let error = await failure(of: plugin)
        XCTAssertEqual(error as? ExecutablePluginError, .refused(.writableByOthers(path: path, kind: "executable", mode: 0o777)))
    }

    func testSettingsThatCannotWorkAreRefused() throws {
        let path = try script("vault", answer)
        XCTAssertEqual(message { _ = try plugin(path, timeout: .zero) }, "executable plug-in \(path): the timeout must be more than 0 s.")
        XCTAssertEqual(message { _ = try plugin(path, maximumOutput: 0) }, "executable plug-in \(path): the output limit must be at least 1 byte.")
        XCTAssertEqual(message { _ = try plugin(path, environment: ["VAULT-ADDR": "x"]) },
                       "executable plug-in \(path): \"VAULT-ADDR\" is not an environment variable name; use letters, digits and _.")
        XCTAssertEqual(message { _ = try plugin(path, environment: ["A": "x\u{0}y"]) }, "executable plug-in \(path): the value of A contains a NUL character.")
        XCTAssertEqual(message { _ = try plugin(path, arguments: ["a\u{0}"]) }, "executable plug-in \(path): an argument contains a NUL character.")
    }

    func testDefaultsAreTenSecondsAndSixtyFourKilobytes() throws {
        let plugin = try ExecutablePlugin(path: try script("vault", answer), requireRootOwnership: false)
        XCTAssertEqual(plugin.timeout, .seconds(10))
        XCTAssertEqual(plugin.maximumOutput, 65536)
        XCTAssertEqual(plugin.arguments, [])
        XCTAssertEqual("\(plugin)", "executable plug-in \(plugin.path)")
    }
}

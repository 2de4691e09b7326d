import Foundation
import XCTest
import Glibc
import PluginHost

/// Only a program nobody but root could have changed runs, with settings that make sense.
final class ExecutablePluginFileTests: ExecutablePluginTestCase {
    private let answer = #"echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'"#

    func testGroupWritableScriptIsRefused() throws {
        let path = try script("vault", answer, mode: 0o775)
        XCTAssertEqual(message { _ = try plugin(path) }, "executable plug-in \(path) is writable by group or others (mode 775); run chmod go-w \(path).")
    }

    func testWorldWritableScriptIsRefused() throws {
        let path = try script("vault", answer, mode: 0o757)
        XCTAssertThrowsError(try plugin(path)) {
            XCTAssertEqual($0 as? ExecutablePluginError, .refused(.writableByOthers(path: path, kind: "executable", mode: 0o757)))
        }
    }

    func testRelativePathIsRefused() {
        XCTAssertEqual(
            message { _ = try ExecutablePlugin(path: "plugins/vault") },
            "executable plug-in path plugins/vault is not absolute; give the full path of the plug-in.")
    }

    func testMissingFileIsRefused() {
        let path = directory + "/missing"
        XCTAssertEqual(
            message { _ = try plugin(path) }, "cannot inspect executable plug-in \(path): No such file or directory; check the path and that ccgd may read it.")
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
        XCTAssertEqual(
            message { _ = try plugin(path) },
            "the directory \(directory) of executable plug-in \(path) is writable by group or others (mode 777); move the plug-in to a directory only root may write to."
        )
    }

    func testSymbolicLinkIntoWritableDirectoryIsRefused() throws {
        let writable = directory + "/writable"
        try FileManager.default.createDirectory(atPath: writable, withIntermediateDirectories: false)
        chmod(writable, 0o1777)
        let target = try script("writable/vault", answer)
        let link = directory + "/vault"
        XCTAssertEqual(symlink(target, link), 0)
        XCTAssertThrowsError(try plugin(link)) {
            XCTAssertEqual(
                $0 as? ExecutablePluginError, .refused(.directoryWritableByOthers(directory: writable, path: link, kind: "executable", mode: 0o1777)))
        }
    }

    func testAPluginBelowAWorldWritableAncestorIsRefusedNamingIt() throws {
        let open = directory + "/open"
        XCTAssertEqual(mkdir(open, 0o777), 0)
        XCTAssertEqual(chmod(open, 0o777), 0)
        XCTAssertEqual(mkdir(open + "/plugins", 0o755), 0)
        let path = try script("open/plugins/vault", answer)
        XCTAssertEqual(
            message { _ = try plugin(path) },
            "the directory \(open) above executable plug-in \(path) is writable by group or others without the sticky bit (mode 777), so anyone could swap what lies below it; run chmod go-w \(open), or keep plug-ins under directories only root may write to."
        )
        // Sticky (as /tmp): others cannot rename what is not theirs, and the rest of the path is checked.
        XCTAssertEqual(chmod(open, 0o1777), 0)
        XCTAssertNoThrow(try plugin(path))
    }

    func testAPluginBelowADirectoryOfAnotherUserIsRefused() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to give the directory away")
        let owned = directory + "/owned"
        XCTAssertEqual(mkdir(owned, 0o755), 0)
        XCTAssertEqual(mkdir(owned + "/plugins", 0o755), 0)
        XCTAssertEqual(chown(owned, 65534, 65534), 0)
        let path = try script("owned/plugins/vault", answer)
        XCTAssertEqual(
            message { _ = try plugin(path) },
            "the directory \(owned) above executable plug-in \(path) belongs to uid 65534, who could swap what lies below it; keep plug-ins under directories owned by root."
        )
    }

    /// The file is swapped (RENAME_EXCHANGE) with one the check refuses, again and again, while
    /// the plug-in runs: what runs is always the file that was checked, never the other.
    func testTheProgramThatRunsIsTheFileThatWasChecked() async throws {
        let vault = try script("vault", #"cat >/dev/null; echo '{"domainName": "contoso.test", "username": "checked", "password": "p"}'"#)
        try script("swapped", #"cat >/dev/null; echo '{"domainName": "contoso.test", "username": "swapped", "password": "p"}'"#, mode: 0o777)
        let plugin = try plugin(vault)
        let swapper = NameSwapper(directory: directory, names: ("vault", "swapped"))
        swapper.start()
        var answers: [String: Int] = [:]
        for _ in 0..<300 {
            do { answers[try await plugin.passwordCredentials(pluginInput: "x").username, default: 0] += 1 } catch {
                answers["refused", default: 0] += 1
            }
        }
        let swaps = swapper.stop()
        XCTAssertGreaterThan(swaps, 100, "the names were swapped while the plug-in ran")
        XCTAssertEqual(answers["swapped"], nil, "a file other than the one checked ran: \(answers)")
        XCTAssertGreaterThan(answers["checked"] ?? 0, 0, "\(answers)")
    }

    func testScriptNotOwnedByRootIsRefused() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to give the script away")
        let path = try script("vault", answer)
        XCTAssertEqual(chown(path, 65534, 65534), 0)
        XCTAssertEqual(
            message { _ = try ExecutablePlugin(path: path) },
            "executable plug-in \(path) is owned by uid 65534, not root; run chown root \(path) if you trust it.")
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
        XCTAssertEqual(
            message { _ = try plugin(path, environment: ["VAULT-ADDR": "x"]) },
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

/// Exchanges two names of a directory atomically (renameat2 RENAME_EXCHANGE), on a thread of its
/// own, as fast as it can until stopped: what another process finds at either name flips under it.
final class NameSwapper: @unchecked Sendable { // `running` and `count` are guarded by `lock`
    private typealias Exchange = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private let lock = NSLock()
    private var running = false
    private var count = 0
    private let first: String
    private let second: String
    private let finished = DispatchSemaphore(value: 0)

    init(directory: String, names: (String, String)) {
        first = directory + "/" + names.0
        second = directory + "/" + names.1
    }

    func start() {
        lock.withLock { running = true }
        // glibc's renameat2 (2.28) is not in Swift's Glibc module.
        let exchange = unsafeBitCast(dlsym(nil, "renameat2"), to: Exchange.self)
        Thread { [self] in
            while lock.withLock({ running }) {
                let swapped = exchange(AT_FDCWD, first, AT_FDCWD, second, 2 /* RENAME_EXCHANGE */) == 0
                if swapped { lock.withLock { count += 1 } }
            }
            finished.signal()
        }.start()
    }

    /// Stops and answers how many swaps were made.
    func stop() -> Int {
        lock.withLock { running = false }
        finished.wait()
        return lock.withLock { count }
    }
}

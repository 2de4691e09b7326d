import CCGPlugin
import Foundation
import Logging
import TestSupport
import XCTest
import Glibc
import PluginHost

/// A fresh directory (mode 755, so plug-ins in it pass the file check) and helpers that turn
/// small shell scripts into plug-ins. Every script gets the directory as its first argument.
class ExecutablePluginTestCase: XCTestCase {
    /// Never allowed in an error description.
    static let password = "S3cr3t-Pa55"

    var directory = ""
    /// What the plug-ins made by `plugin(…)` log.
    let log = CapturedLog()

    override func setUpWithError() throws {
        directory = try temporaryDirectory("execplugin")
        XCTAssertEqual(chmod(directory, 0o755), 0)
    }

    /// Writes `#!/bin/sh`, then `body`, to an executable file in the directory.
    @discardableResult
    func script(_ name: String, _ body: String, mode: mode_t = 0o755) throws -> String {
        try file(name, "#!/bin/sh\n" + body + "\n", mode: mode)
    }

    @discardableResult
    func file(_ name: String, _ contents: String, mode: mode_t = 0o644) throws -> String {
        let path = directory + "/" + name
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(chmod(path, mode), 0)
        return path
    }

    /// A script that reads the request, then prints `answer` as it is.
    func answering(_ answer: String, exitStatus: Int = 0) throws -> String {
        try file("answer", answer)
        return try script("answering", "cat > /dev/null\ncat \"$1/answer\"\nexit \(exitStatus)")
    }

    func plugin(
        _ path: String, arguments: [String]? = nil, timeout: Duration = .seconds(10), maximumOutput: Int = 64 * 1024,
        environment: [String: String] = [:]
    ) throws -> ExecutablePlugin {
        try ExecutablePlugin(
            path: path, arguments: arguments ?? [directory], timeout: timeout, maximumOutput: maximumOutput,
            environment: environment, requireRootOwnership: getuid() == 0,
            logger: Logger(label: "test.plugins") { _ in self.log }
        )
    }

    /// What a call throws, or nil.
    func failure(of plugin: ExecutablePlugin, input: String = "webapp01") async -> (any Error)? {
        do {
            _ = try await plugin.passwordCredentials(pluginInput: input)
            return nil
        } catch {
            return error
        }
    }

    func message(of plugin: ExecutablePlugin, input: String = "webapp01") async -> String {
        await failure(of: plugin, input: input).map { "\($0)" } ?? "no error"
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return "\(error)" }
    }

    func pid(in name: String) throws -> pid_t {
        let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        return try XCTUnwrap(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), "no pid in \(name)")
    }

    /// Waits up to 2 s for `pid` to be gone, or a zombie of an init that does not reap (as in
    /// some containers): dead either way.
    func isGone(_ pid: pid_t) -> Bool {
        for _ in 0..<200 {
            if kill(pid, 0) != 0 { return true }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first, state == "Z"
            {
                return true
            }
            usleep(10_000)
        }
        return false
    }

    /// Polls for a file a script writes, up to `seconds`.
    func waitForFile(_ name: String, seconds: Double = 5) {
        let until = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: directory + "/" + name), Date() < until { usleep(10_000) }
    }
}

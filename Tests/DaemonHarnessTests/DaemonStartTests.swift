import DaemonHarness
import Foundation
import TestSupport
import XCTest

/// Waiting for a daemon to serve: until the caller's probe says so, the process ends, or the attempts run out.
final class DaemonStartTests: XCTestCase {
    private func sleeper() throws -> ChildProcess {
        try ChildProcess(["/bin/sleep", "30"], environment: [:])
    }

    func testServingOnceTheProbeSaysSo() async throws {
        let daemon = try sleeper()
        defer { daemon.stop() }
        let probes = Counter()
        let outcome = await DaemonStart.wait(for: daemon, attempts: 10, interval: .milliseconds(1)) { probes.next() == 3 }
        XCTAssertEqual(outcome, .serving)
        XCTAssertEqual(probes.count, 3)
    }

    func testSilentWhenEveryAttemptFails() async throws {
        let daemon = try sleeper()
        defer { daemon.stop() }
        let probes = Counter()
        let outcome = await DaemonStart.wait(for: daemon, attempts: 5, interval: .milliseconds(1)) {
            _ = probes.next(); return false
        }
        XCTAssertEqual(outcome, .silent)
        XCTAssertEqual(probes.count, 5)
    }

    func testExitedWhenTheProcessEndsFirst() async throws {
        let daemon = try ChildProcess(["/bin/false"], environment: [:])
        _ = daemon.wait()
        let outcome = await DaemonStart.wait(for: daemon, attempts: 5, interval: .milliseconds(1)) { true }
        XCTAssertEqual(outcome, .exited, "a process that ended does not serve, whatever the probe says")
    }

    /// A real ccgd on its own directories, no domain: the harness sees it serve, then stops it cleanly.
    func testACcgdStartedOnItsOwnDirectoriesServesAndStops() async throws {
        let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.isExecutableFile(atPath: binaries + "/ccgd") else { throw XCTSkip("no ccgd beside the tests in \(binaries)") }
        let root = try temporaryDirectory("harness", creating: ["credspecs"])
        try """
        [daemon]
        socket = \(root)/ccgd.sock
        runtime-directory = \(root)/run
        state-directory = \(root)/state
        credspec-directory = \(root)/credspecs
        """.write(toFile: root + "/ccgd.conf", atomically: true, encoding: .utf8)
        let daemon = try ChildProcess(
            [binaries + "/ccgd", "--config", root + "/ccgd.conf"], environment: ProcessInfo.processInfo.environment,
            stdout: root + "/ccgd.log", stderr: root + "/ccgd.log")
        let outcome = await DaemonStart.wait(for: daemon, attempts: 200, interval: .milliseconds(50)) {
            FileManager.default.fileExists(atPath: root + "/ccgd.sock")
        }
        XCTAssertEqual(outcome, .serving, (try? String(contentsOfFile: root + "/ccgd.log", encoding: .utf8)) ?? "")
        XCTAssertEqual(daemon.stop(patience: .seconds(30)), 0, (try? String(contentsOfFile: root + "/ccgd.log", encoding: .utf8)) ?? "")
    }
}

/// Counts the calls of a probe (the probe runs on the waiting task only).
private final class Counter: @unchecked Sendable {
    private(set) var count = 0
    func next() -> Int {
        count += 1
        return count
    }
}

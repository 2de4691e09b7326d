import DaemonHarness
import Foundation
import TestSupport
import XCTest

/// The child processes the integration tests and ccgd-bench start: exit statuses, output files,
/// stopping, and what the child inherits.
final class ChildProcessTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("child")
    }

    private func shell(_ script: String, stdout: String? = nil, appendOutput: Bool = false) throws -> ChildProcess {
        try ChildProcess(
            ["/bin/sh", "-c", script], environment: ["PATH": "/usr/bin:/bin"], stdout: stdout, stderr: stdout,
            appendOutput: appendOutput)
    }

    func testTheExitCodeIsReported() throws {
        XCTAssertEqual(try shell("exit 3").wait().status, 3)
        XCTAssertTrue(try ChildProcess.run(["/bin/true"], environment: [:]).succeeded)
    }

    func testASignalIsReportedAsAShellDoes() throws {
        XCTAssertEqual(try shell("kill -9 $$").wait().status, 128 + 9)
    }

    func testAProgramNotOnThePathIsAnErrorThatNamesIt() {
        XCTAssertThrowsError(try ChildProcess(["ccgd-no-such-program"], environment: ["PATH": "/nonexistent"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot start ccgd-no-such-program: "), "\(error)")
        }
    }

    func testOutputIsTruncatedOrAppendedTo() throws {
        let log = directory + "/log"
        _ = try shell("echo one; echo two >&2", stdout: log).wait()
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "one\ntwo\n")
        _ = try shell("echo three", stdout: log, appendOutput: true).wait()
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "one\ntwo\nthree\n")
        _ = try shell("echo four", stdout: log).wait()
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "four\n")
    }

    func testInputIsFedOnStandardInput() throws {
        let log = directory + "/log"
        _ = try ChildProcess(["/bin/cat"], environment: [:], input: Array("secret\n".utf8), stdout: log).wait()
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "secret\n")
    }

    func testOurDescriptorsAreNotInherited() throws {
        let fd = open(directory + "/held", O_CREAT | O_WRONLY, 0o600) // no O_CLOEXEC, as Foundation's pipes
        defer { close(fd) }
        XCTAssertGreaterThan(fd, 2)
        let log = directory + "/log"
        _ = try shell("ls /proc/self/fd", stdout: log).wait()
        let inherited = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        XCTAssertFalse(inherited.contains(fd), "\(inherited)")
    }

    func testSignalsStartAtTheirDefaults() throws {
        signal(SIGUSR1, SIG_IGN)
        defer { signal(SIGUSR1, SIG_DFL) }
        // A child that inherited SIG_IGN would survive its own SIGUSR1 and exit 0.
        XCTAssertEqual(try shell("kill -USR1 $$; exit 0").wait().status, 128 + SIGUSR1)
    }

    /// A program of its own (not a shell's child, which would outlive the shell).
    private func sleeper() throws -> ChildProcess {
        try ChildProcess(["/bin/sleep", "30"], environment: [:])
    }

    func testHasExitedAndStopWithAndWithoutPatience() throws {
        let sleeper = try sleeper()
        XCTAssertFalse(sleeper.hasExited)
        XCTAssertEqual(sleeper.stop(patience: nil), 128 + SIGTERM)
        XCTAssertTrue(sleeper.hasExited)
        XCTAssertEqual(sleeper.stop(), 128 + SIGTERM, "a second stop reports the same end")

        // Short sleeps, so that the one running when the shell is killed ends soon after it.
        let stubborn = try shell("trap '' TERM; while :; do sleep 0.05; done")
        usleep(200_000)
        let started = ContinuousClock.now
        XCTAssertEqual(stubborn.stop(patience: .milliseconds(300)), 128 + SIGKILL)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }

    func testKillAbruptlyReapsTheChild() throws {
        let sleeper = try sleeper()
        sleeper.killAbruptly()
        XCTAssertTrue(sleeper.hasExited)
        XCTAssertEqual(sleeper.wait().status, 128 + SIGKILL)
    }
}

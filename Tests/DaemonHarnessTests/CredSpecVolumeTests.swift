import DaemonHarness
import Foundation
import TestSupport
import XCTest

/// A real ccgd whose CredSpec directory is a Kubernetes ConfigMap volume (the kubelet's atomic
/// writer's layout), no domain: an update of the volume is followed without SIGHUP.
final class CredSpecVolumeTests: XCTestCase {
    func testARunningCcgdFollowsASwappedDataWithoutAReload() async throws {
        let binaries = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        guard FileManager.default.isExecutableFile(atPath: binaries + "/ccgd") else { throw XCTSkip("no ccgd beside the tests in \(binaries)") }
        let root = try temporaryDirectory("volume")
        let volume = try AtomicWriterVolume(at: root + "/credspecs")
        try volume.write(["WebApp01.json": CredSpecJSON(account: "WebApp01").text])
        try """
        [daemon]
        socket = \(root)/ccgd.sock
        runtime-directory = \(root)/run
        state-directory = \(root)/state
        credspec-directory = \(root)/credspecs
        """.write(toFile: root + "/ccgd.conf", atomically: true, encoding: .utf8)
        let log = root + "/ccgd.log"
        func logText() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        let daemon = try ChildProcess(
            [binaries + "/ccgd", "--config", root + "/ccgd.conf"], environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
        let outcome = await DaemonStart.wait(for: daemon, attempts: 200, interval: .milliseconds(50)) {
            FileManager.default.fileExists(atPath: root + "/ccgd.sock")
        }
        XCTAssertEqual(outcome, .serving, logText())
        defer { XCTAssertEqual(daemon.stop(patience: .seconds(30)), 0, logText()) }
        try await waitUntil(logText().contains("watching the CredSpec directory"), logText)

        // The kubelet's update: WebApp01 changed, WebApp02 added, in a new timestamped directory behind a swapped ..data.
        var changed = CredSpecJSON(account: "WebApp01")
        changed.accounts.append("WebApp03")
        try volume.write(["WebApp01.json": changed.text, "WebApp02.json": CredSpecJSON(account: "WebApp02").text])
        try await waitUntil(logText().contains("CredSpec directory changed: added WebApp02; changed WebApp01"), logText)
        // A removal is the next change; the ConfigMap's hidden entries never show as CredSpecs.
        try volume.write(["WebApp02.json": CredSpecJSON(account: "WebApp02").text])
        try await waitUntil(logText().contains("CredSpec directory changed: removed WebApp01"), logText)
        XCTAssertFalse(logText().contains("..data"), logText())
        XCTAssertEqual(logText().components(separatedBy: "CredSpec directory changed").count - 1, 2, "one line per update")
    }

    /// Waits up to 10 s for `condition`, failing with `context` when it never holds.
    private func waitUntil(_ condition: @autoclosure () -> Bool, _ context: () -> String) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { return XCTFail("not seen within 10 s:\n\(context())") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

import DaemonHarness
import Foundation
import XCTest

/// A private test domain whose clock the test moves: a second Samba DC on its own loopback
/// address (127.0.0.10), started by scripts/testdomain under libfaketime reading its clock offset
/// from a control file. Other tests keep the shared DC at the real time; this one is never
/// restarted to move its clock (libfaketime reads the file again within a second).
final class ClockedTestDomain {
    static let address = "127.0.0.10"
    static let faketimeLibrary = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    /// Provisioned once per machine and kept (provisioning costs 15–60 s); stopped after each test.
    static let directory = NSTemporaryDirectory() + "/ccgd-clocked-domain"
    static let clockFile = directory + ".clock"

    let domain: TestDomain
    private(set) var offset = "+0"

    private static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/testdomain").path
    }

    /// Starts it (provisioning it the first time) at the real time.
    init() throws {
        guard FileManager.default.fileExists(atPath: Self.faketimeLibrary) else {
            throw XCTSkip("libfaketime is missing (scripts/testdomain install installs it): the clocked domain cannot run")
        }
        try "+0\n".write(toFile: Self.clockFile, atomically: true, encoding: .utf8)
        try Self.testdomain(["up"])
        guard let file = TestDomainFile(directory: Self.directory) else {
            throw DaemonProcess.Failure("scripts/testdomain up left no \(Self.directory)/testdomain.env; see its output above")
        }
        domain = TestDomain(settings: file.settings)
    }

    /// Moves the DC's clock (and every process started with `clockEnvironment`) to `offset`
    /// from the real time, e.g. "+21h", and waits until the DC's LDAP server tells that time.
    func move(to offset: String) throws {
        try "\(offset)\n".write(toFile: Self.clockFile, atomically: true, encoding: .utf8)
        self.offset = offset
        // libfaketime reads the file again a second after its last read, per process.
        Thread.sleep(forTimeInterval: 2.5)
    }

    /// For a child process that shares the DC's clock from now on (the daemon): the control file.
    /// Only the wall clock moves: the monotonic clock its timers and sleeps use stays real.
    var clockEnvironment: [String: String] {
        [
            "LD_PRELOAD": Self.faketimeLibrary, "FAKETIME_TIMESTAMP_FILE": Self.clockFile, "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ]
    }

    /// For a short-lived child (kinit, kvno, samba-tool): the current offset, fixed.
    var commandClock: [String: String] {
        ["LD_PRELOAD": Self.faketimeLibrary, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1"]
    }

    /// Back to the real time, throwaway accounts removed, the DC stopped. Safe to call twice.
    func stop(removing accounts: [String]) {
        try? "+0\n".write(toFile: Self.clockFile, atomically: true, encoding: .utf8)
        offset = "+0"
        Thread.sleep(forTimeInterval: 2.5)
        for account in accounts { try? Self.testdomain(["remove-gmsa", account]) }
        try? Self.testdomain(["down"])
        FaketimeLeftovers.remove()
    }

    static func testdomain(_ arguments: [String]) throws {
        let outcome = try Command.run(
            script, arguments,
            environment: [
                "CCGD_TESTDOMAIN_DIR": directory, "CCGD_TESTDOMAIN_ADDRESS": address, "CCGD_TESTDOMAIN_CLOCK_FILE": clockFile,
            ])
        guard outcome.status == 0 else {
            throw DaemonProcess.Failure("scripts/testdomain \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.all)")
        }
    }
}

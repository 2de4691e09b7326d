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
    /// DC2's (127.0.0.12, joined by `startSecondController`): a clock of its own, so that the two
    /// DCs can stand on either side of a rollover.
    static let secondAddress = "127.0.0.12"
    static let secondClockFile = directory + ".dc2.clock"
    private var secondStarted = false

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

    /// Joins DC2 the first time (scripts/testdomain up-dc2, under DC1's clock: the join needs
    /// the same time on both) and starts it again under its own clock file, at the real time.
    /// The domain's description then names both DCs.
    func startSecondController() throws -> TestDomain {
        try "+0\n".write(toFile: Self.secondClockFile, atomically: true, encoding: .utf8)
        secondStarted = true
        try Self.testdomain(["up-dc2"])
        try Self.testdomain(["dc", "DC2", "stop"])
        try Self.testdomain(["dc", "DC2", "start"], clockFile: Self.secondClockFile)
        guard let file = TestDomainFile(directory: Self.directory) else {
            throw DaemonProcess.Failure("scripts/testdomain up-dc2 left no \(Self.directory)/testdomain.env; see its output above")
        }
        return TestDomain(settings: file.settings)
    }

    /// Moves DC2's clock alone (see `move(to:)`).
    func moveSecondController(to offset: String) throws {
        try "\(offset)\n".write(toFile: Self.secondClockFile, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 2.5)
    }

    /// Each DC stops pulling the other's changes (DISABLE_INBOUND_REPL): the window in which a
    /// rotation made on one DC has not reached the other, held open for as long as the test needs.
    /// Kept in each DC's database: `stop` lets replication go again.
    func holdReplication(_ hold: Bool = true) throws {
        for dc in [Self.address, Self.secondAddress] {
            let outcome = try Command.run(
                "/usr/bin/samba-tool",
                [
                    "drs", "options", dc, "--dsa-option=\(hold ? "+" : "-")DISABLE_INBOUND_REPL", "-s", Self.directory + "/etc/smb.conf",
                    "-A", Self.directory + "/admin.auth",
                ])
            guard outcome.status == 0 else {
                throw DaemonProcess.Failure("samba-tool drs options \(dc) exited \(outcome.status): \(outcome.all)")
            }
        }
    }

    /// Back to the real time, throwaway accounts removed, replication let go, the DCs stopped. Safe to call twice.
    func stop(removing accounts: [String]) {
        try? "+0\n".write(toFile: Self.clockFile, atomically: true, encoding: .utf8)
        if secondStarted { try? "+0\n".write(toFile: Self.secondClockFile, atomically: true, encoding: .utf8) }
        offset = "+0"
        Thread.sleep(forTimeInterval: 2.5)
        if secondStarted { try? holdReplication(false) }
        for account in accounts { try? Self.testdomain(["remove-gmsa", account]) }
        try? Self.testdomain(["down"])
        FaketimeLeftovers.remove()
    }

    /// Runs scripts/testdomain on this domain; `clockFile` is the clock a DC it starts reads (DC1's by default).
    static func testdomain(_ arguments: [String], clockFile: String = clockFile) throws {
        let outcome = try Command.run(
            script, arguments,
            environment: [
                "CCGD_TESTDOMAIN_DIR": directory, "CCGD_TESTDOMAIN_ADDRESS": address, "CCGD_TESTDOMAIN_CLOCK_FILE": clockFile,
                "CCGD_TESTDOMAIN_DC2_ADDRESS": secondAddress,
            ])
        guard outcome.status == 0 else {
            throw DaemonProcess.Failure("scripts/testdomain \(arguments.joined(separator: " ")) exited \(outcome.status): \(outcome.all)")
        }
    }
}

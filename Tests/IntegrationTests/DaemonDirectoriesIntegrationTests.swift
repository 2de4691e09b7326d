import Foundation
import XCTest

/// What ccgd does with its state and runtime directories at start-up, where write access is
/// root: one daemon per directory, nothing followed through a symlink, nothing of anybody else's
/// used, and ccgd's own krb5.conf where only it can write.
final class DaemonDirectoriesIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    private func made() throws -> DaemonProcess {
        let daemon = try DaemonProcess(domain: try TestDomain.require())
        self.daemon = daemon
        return daemon
    }

    private func inode(_ path: String) -> ino_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_ino : nil
    }

    private func mode(_ path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & 0o7777 : nil
    }

    private func leaseIDs(_ daemon: DaemonProcess) async throws -> Set<String> {
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
        return Set(leases.compactMap { $0["id"] as? String })
    }

    func testASecondDaemonTouchesNothingOfARunningOneAndNamesIt() async throws {
        let daemon = try made()
        try daemon.start()
        let pid = try XCTUnwrap(daemon.pid)
        let first = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let journal = daemon.state + "/leases.journal"
        let journalInode = try XCTUnwrap(inode(journal))
        let leases = daemon.runtime + "/leases"
        let directories = Set(try FileManager.default.contentsOfDirectory(atPath: leases))
        XCTAssertEqual(directories, [first["id"] as! String])

        let inUse = "the state directory \(daemon.state) is in use by another ccgd (process \(pid)); stop that one first"
        for (arguments, message) in [
            ([], inUse),
            (["--socket", daemon.root + "/other.sock"], inUse),
            (
                ["--socket", daemon.root + "/other.sock", "--state-directory", daemon.root + "/other-state"],
                "the runtime directory \(daemon.runtime) is in use by another ccgd (process \(pid)); stop that one first"
            ),
        ] {
            let outcome = try daemon.runAnother(arguments)
            XCTAssertFalse(outcome.stillRunning, "a second ccgd (\(arguments)) started beside the first: \(outcome.output)")
            XCTAssertNotEqual(outcome.status, 0, outcome.output)
            XCTAssertTrue(outcome.output.contains(message), "\(arguments): \(outcome.output)")
            XCTAssertEqual(inode(journal), journalInode, "the journal file was replaced by \(arguments)")
            XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: leases)), directories, "lease directories changed by \(arguments)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.root + "/other.sock"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.root + "/other-state/leases.journal"), "the refused daemon wrote no journal")

        let check = try daemon.runAnother(["--check-config"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("\(daemon.configuration): OK"), check.output)
        XCTAssertTrue(check.output.contains("note: the state directory \(daemon.state) is in use by a running ccgd (process \(pid))"), check.output)
        XCTAssertEqual(inode(journal), journalInode)

        // Acknowledged after the attempts: the journal it went to is the one the next start reads.
        let second = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let secondDirectory = try XCTUnwrap(second["directory"] as? String)
        XCTAssertEqual(daemon.stop(), 0, daemon.logText)
        try daemon.start()
        let restored = try await leaseIDs(daemon)
        XCTAssertEqual(restored, [first["id"] as! String, second["id"] as! String], daemon.logText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: secondDirectory + "/krb5.keytab"), "its directory is kept")
    }

    func testCheckConfigCreatesNothing() throws {
        let daemon = try made()
        let check = try daemon.runAnother(["--check-config"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertFalse(check.output.contains("note:"), check.output)
        for path in [daemon.state, daemon.runtime, daemon.socket] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "--check-config made \(path)")
        }
    }

    func testSymlinksInPlaceOfLeasesOrPrivateAreRefusedAndNothingIsChangedThroughThem() throws {
        for name in ["leases", "private"] {
            let daemon = try made()
            defer { daemon.remove(); self.daemon = nil }
            let victim = daemon.root + "/victim"
            try FileManager.default.createDirectory(atPath: victim + "/kept", withIntermediateDirectories: true)
            try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim + "/precious"))
            XCTAssertEqual(chmod(victim, 0o750), 0)
            try FileManager.default.createDirectory(atPath: daemon.runtime, withIntermediateDirectories: true)
            XCTAssertEqual(symlink(victim, daemon.runtime + "/" + name), 0)

            let outcome = try daemon.runAnother([])
            XCTAssertFalse(outcome.stillRunning, "ccgd started with \(name) a symlink: \(outcome.output)")
            XCTAssertTrue(outcome.output.contains("\(daemon.runtime)/\(name) is a symlink or not a directory; ccgd does not follow it"), outcome.output)
            XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: victim)), ["kept", "precious"], "\(name): nothing removed through it")
            XCTAssertEqual(mode(victim), 0o750, "\(name): its target was not chmodded")
        }
    }

    func testARuntimeDirectorySomeoneElseCouldChangeIsRefused() throws {
        let daemon = try made()
        let foreign = daemon.root + "/foreign"
        XCTAssertEqual(mkdir(foreign, 0o755), 0)
        XCTAssertEqual(chown(foreign, 1000, 1000), 0)
        let open = daemon.root + "/open"
        XCTAssertEqual(mkdir(open, 0o777), 0)
        XCTAssertEqual(chmod(open, 0o777), 0)
        let link = daemon.root + "/link"
        XCTAssertEqual(mkdir(daemon.root + "/real", 0o755), 0)
        XCTAssertEqual(symlink(daemon.root + "/real", link), 0)
        for (runtime, message) in [
            (foreign, "\(foreign) belongs to uid 1000, not to ccgd (uid 0): someone else made it"),
            // The walk names the directories it crossed, without the doubled slash of NSTemporaryDirectory.
            (
                open + "/run",
                "\(open.replacingOccurrences(of: "//", with: "/")), above the runtime directory \(open)/run, is writable by group or others without the sticky bit (mode 777)"
            ),
            (link, "the runtime directory \(link) is a symlink; ccgd does not follow it"),
        ] {
            let outcome = try daemon.runAnother(["--runtime-directory", runtime])
            XCTAssertFalse(outcome.stillRunning, "ccgd started with runtime directory \(runtime): \(outcome.output)")
            XCTAssertTrue(outcome.output.contains(message), outcome.output)
            XCTAssertFalse(FileManager.default.fileExists(atPath: runtime + "/leases"), "nothing made in \(runtime)")
        }
        XCTAssertEqual(mode(foreign), 0o755, "not chmodded")
    }

    func testCcgdsOwnKrb5ConfIsInItsPrivateDirectory() async throws {
        let daemon = try made()
        try daemon.start()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: daemon.runtime + "/krb5.conf"), "no krb5.conf where the runtime directory's writers could replace it")
        let conf = (try? String(contentsOfFile: daemon.runtime + "/private/krb5.conf", encoding: .utf8)) ?? ""
        XCTAssertTrue(conf.contains("kdc = 127.0.0.1:88"), conf)
        XCTAssertEqual(mode(daemon.runtime + "/private"), 0o700)
    }

    func testHostUsersCannotListTheLeases() async throws {
        let daemon = try made()
        try daemon.start()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01", "owner": {"uid": 1000, "gid": 1000}}"#)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        // Lease ids are 128-bit: without a listing, a host user cannot find another's lease directory.
        XCTAssertEqual(mode(daemon.runtime + "/leases"), 0o711)
        let asUser = ["--reuid=1000", "--regid=1000", "--clear-groups"]
        let listing = try Command.run("/usr/bin/setpriv", asUser + ["ls", daemon.runtime + "/leases"])
        XCTAssertNotEqual(listing.status, 0, "uid 1000 listed the leases: \(listing.all)")
        XCTAssertTrue(listing.errors.contains("Permission denied"), listing.all)
        // What docs/api.md warns about: the lease's own uid, on the host too, reads its files.
        let read = try Command.run("/usr/bin/setpriv", asUser + ["cat", directory + "/krb5.conf"])
        XCTAssertEqual(read.status, 0, read.all)
    }
}

import DurableFiles
import Foundation
import TestSupport
import XCTest

/// One process per directory: a claim another process holds is refused with its pid, and freed
/// when that process ends, however it ends.
final class DirectoryLockTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = try temporaryDirectory("lock")
    }

    /// Another process (Python's lockf is a POSIX record lock, as ours) that holds the claim until its stdin closes.
    private func holder(of directory: String) throws -> (process: Process, input: Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c",
            """
            import fcntl, os, sys
            f = open(sys.argv[1], "a+")
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            print("locked", flush=True)
            sys.stdin.read()
            """, directory + "/" + DirectoryLock.fileName,
        ]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(line.hasPrefix("locked"), line) // printed once the lock is held
        return (process, input)
    }

    func testAClaimHeldByAnotherProcessNamesItsPidUntilItEnds() throws {
        let directory = root + "/state"
        XCTAssertEqual(mkdir(directory, 0o700), 0)
        let (other, input) = try holder(of: directory)
        XCTAssertEqual(DirectoryLock.holder(of: directory), other.processIdentifier)
        XCTAssertThrowsError(try DirectoryLock(claiming: directory, purpose: "state directory")) { error in
            XCTAssertEqual(error as? DirectoryLockError, .held(directory: directory, purpose: "state directory", pid: other.processIdentifier))
            XCTAssertEqual(
                "\(error)",
                "the state directory \(directory) is in use by another ccgd (process \(other.processIdentifier)); stop that one first (systemctl stop ccgd), or give this one its own --state-directory and --runtime-directory."
            )
        }
        try input.fileHandleForWriting.close()
        other.waitUntilExit()
        XCTAssertNil(DirectoryLock.holder(of: directory))
        let claim = try DirectoryLock(claiming: directory, purpose: "state directory")
        XCTAssertEqual(try String(contentsOfFile: directory + "/ccgd.lock", encoding: .utf8), "\(getpid())\n")
        withExtendedLifetime(claim) {}
    }

    func testAMissingDirectoryIsMadeAndASymlinkedLockFileIsRefused() throws {
        let made = root + "/a/b/state"
        _ = try DirectoryLock(claiming: made, purpose: "state directory")
        var status = stat()
        XCTAssertEqual(stat(made, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o700)

        let planted = root + "/planted"
        XCTAssertEqual(mkdir(planted, 0o700), 0)
        XCTAssertEqual(symlink(root + "/elsewhere", planted + "/ccgd.lock"), 0)
        XCTAssertThrowsError(try DirectoryLock(claiming: planted, purpose: "state directory")) { error in
            guard case let .unusable(_, cause)? = error as? DirectoryLockError else { return XCTFail("\(error)") }
            XCTAssertEqual(cause.errno, ELOOP)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/elsewhere"), "nothing made through the symlink")
    }
}

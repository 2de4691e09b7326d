@testable import DurableFiles
import Foundation
import TestSupport
import XCTest

/// A directory its owner can change at any moment: what the owner plants there is never followed.
final class DirectoryHandleTests: XCTestCase {
    private var root = ""
    /// The directory the handle works in, and one outside it that must never change.
    private var inside: String { root + "/inside" }
    private var outside: String { root + "/outside" }

    override func setUpWithError() throws {
        // A test may leave a mode 000 directory behind a failure; root removes it anyway.
        root = try temporaryDirectory("handle", creating: ["inside", "outside"])
        try "outside".write(toFile: outside + "/target", atomically: false, encoding: .utf8)
    }

    private func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func isSymlink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    private func replace(_ directory: borrowing DirectoryHandle, _ name: String, _ content: String) throws {
        try Array(content.utf8).withUnsafeBytes { try directory.replace(name, with: $0, ownership: .privateToCaller) }
    }

    func testSymlinkAtTheNameIsReplacedNotFollowed() throws {
        for name in ["krb5.keytab", "krb5cc", "krb5.conf"] {
            XCTAssertEqual(symlink(outside + "/target", inside + "/" + name), 0)
            let directory = try DirectoryHandle(opening: inside)
            try replace(directory, name, "new \(name)")
            XCTAssertFalse(isSymlink(inside + "/" + name), name)
            XCTAssertEqual(try text(inside + "/" + name), "new \(name)")
            XCTAssertEqual(try text(outside + "/target"), "outside", name)
        }
    }

    func testSymlinkAtTheNewFilesNameIsRefused() throws {
        XCTAssertEqual(symlink(outside + "/target", inside + "/krb5.keytab"), 0)
        let directory = try DirectoryHandle(opening: inside)
        XCTAssertThrowsError(
            try Array("new".utf8).withUnsafeBytes {
                try directory.create("krb5.keytab", with: $0, ownership: .privateToCaller)
            }
        ) { XCTAssertEqual(($0 as? FileSystemError)?.errno, EEXIST, "\($0)") }
        XCTAssertEqual(try text(outside + "/target"), "outside")
    }

    func testSymlinkAtTheTemporaryNameIsRefusedAndLeftAlone() throws {
        XCTAssertEqual(symlink(outside + "/target", inside + "/.krb5cc.tmp-planted"), 0)
        var directory = try DirectoryHandle(opening: inside)
        directory.temporaryName = { ".\($0).tmp-planted" }
        XCTAssertThrowsError(try replace(directory, "krb5cc", "new")) { XCTAssertEqual(($0 as? FileSystemError)?.errno, EEXIST, "\($0)") }
        XCTAssertEqual(try text(outside + "/target"), "outside")
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside + "/krb5cc"))
        // ccgd removes only a temporary file it created itself: the owner's symlink stays.
        XCTAssertTrue(isSymlink(inside + "/.krb5cc.tmp-planted"))
    }

    func testDirectoryPlantedAtTheNameMakesWayForTheFile() throws {
        try FileManager.default.createDirectory(atPath: inside + "/krb5cc/deeper", withIntermediateDirectories: true)
        let directory = try DirectoryHandle(opening: inside)
        try replace(directory, "krb5cc", "ticket")
        XCTAssertEqual(try text(inside + "/krb5cc"), "ticket")
    }

    func testDirectoryReplacedByASymlinkIsRefused() throws {
        XCTAssertEqual(rmdir(inside), 0)
        XCTAssertEqual(symlink(outside, inside), 0)
        XCTAssertThrowsError(try DirectoryHandle(opening: inside).setOwnership(.privateToCaller)) {
            XCTAssertEqual($0 as? DirectoryHandleError, .notADirectory(path: inside))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["target"])
    }

    func testNamesThatAreNotOneFileNameAreRefused() throws {
        let directory = try DirectoryHandle(opening: inside)
        for name in ["", ".", "..", "../outside/target", "a/b", "/etc/passwd", "krb5cc\0x"] {
            XCTAssertThrowsError(try replace(directory, name, "x"), name.debugDescription) {
                XCTAssertEqual($0 as? DirectoryHandleError, .invalidName(name, directory: inside))
            }
            XCTAssertThrowsError(try directory.remove(name), name.debugDescription)
        }
        XCTAssertEqual(try text(outside + "/target"), "outside")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inside), [])
    }

    func testSetOwnershipFixesTheModeThroughTheDescriptor() throws {
        XCTAssertEqual(chmod(inside, 0o755), 0)
        try DirectoryHandle(opening: inside).setOwnership(FileOwnership(uid: 1000, gid: 1001, mode: 0o700))
        let attributes = try FileManager.default.attributesOfItem(atPath: inside)
        XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(attributes[.ownerAccountID] as? Int, 1000)
        XCTAssertEqual(attributes[.groupOwnerAccountID] as? Int, 1001)
        // Owned by 1000 now: a wrong mode is fixed again (taken back, changed, given back).
        XCTAssertEqual(chmod(inside, 0o777), 0)
        try DirectoryHandle(opening: inside).setOwnership(FileOwnership(uid: 1000, gid: 1001, mode: 0o700))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: inside)[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: inside)[.ownerAccountID] as? Int, 1000)
    }

    // MARK: - Removal

    /// What a hostile owner leaves: nested directories, a mode 000 one with a file, a FIFO, a
    /// symlink to an outside directory, a name that is not UTF-8.
    private func plantHostileTree() throws {
        try FileManager.default.createDirectory(atPath: inside + "/a/b/c/d", withIntermediateDirectories: true)
        try "deep".write(toFile: inside + "/a/b/c/d/file", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: inside + "/locked/inner", withIntermediateDirectories: true)
        try "locked".write(toFile: inside + "/locked/file", atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(inside + "/locked/inner", 0), 0)
        XCTAssertEqual(chmod(inside + "/locked", 0), 0)
        XCTAssertEqual(mkfifo(inside + "/fifo", 0o600), 0)
        XCTAssertEqual(symlink(outside, inside + "/escape"), 0)
        XCTAssertEqual(symlink(outside, inside + "/a/escape"), 0)
        let latin1: [CChar] = Array((inside + "/caf").utf8CString.dropLast()) + [CChar(bitPattern: 0xE9), 0]
        let fd = open(latin1, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
    }

    func testRemoveTreeTakesEverythingAndFollowsNoSymlink() throws {
        try plantHostileTree()
        try DirectoryHandle.removeTree(at: inside)
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["target"])
        XCTAssertEqual(try text(outside + "/target"), "outside")
    }

    func testRemoveTreeOfASymlinkRemovesOnlyTheSymlink() throws {
        XCTAssertEqual(rmdir(inside), 0)
        XCTAssertEqual(symlink(outside, inside), 0)
        try DirectoryHandle.removeTree(at: inside)
        XCTAssertFalse(isSymlink(inside))
        XCTAssertEqual(try text(outside + "/target"), "outside")
    }

    func testRemoveTreeOfNothingIsFine() throws {
        try DirectoryHandle.removeTree(at: root + "/missing")
    }

    func testRemoveOneEntryTakesItsSubtree() throws {
        try plantHostileTree()
        let directory = try DirectoryHandle(opening: inside)
        for name in ["a", "locked", "fifo", "escape"] { try directory.remove(name) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inside).filter { $0.hasPrefix("caf") }.count, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: inside).count, 1)
        XCTAssertEqual(try text(outside + "/target"), "outside")
    }

    func testTreeDeeperThanTheLimitFailsNamingTheDirectory() throws {
        try FileManager.default.createDirectory(atPath: inside + "/1/2/3/4/5", withIntermediateDirectories: true)
        let limits = RemovalLimits(depth: 3, entries: 100)
        XCTAssertThrowsError(try DirectoryHandle.removeTree(at: inside, limits: limits)) {
            XCTAssertEqual($0 as? DirectoryHandleError, .treeTooLarge(path: inside, depth: 3, entries: 100))
            XCTAssertTrue("\($0)".contains(inside), "\($0)")
        }
        // Within the limits, the same tree goes.
        try DirectoryHandle.removeTree(at: inside, limits: RemovalLimits(depth: 8, entries: 100))
        XCTAssertFalse(FileManager.default.fileExists(atPath: inside))
    }

    func testTreeWithMoreEntriesThanTheLimitFailsNamingTheDirectory() throws {
        for index in 0..<20 { try "x".write(toFile: inside + "/file\(index)", atomically: false, encoding: .utf8) }
        let limits = RemovalLimits(depth: 8, entries: 10)
        XCTAssertThrowsError(try DirectoryHandle.removeTree(at: inside, limits: limits)) {
            XCTAssertEqual($0 as? DirectoryHandleError, .treeTooLarge(path: inside, depth: 8, entries: 10))
        }
    }
}

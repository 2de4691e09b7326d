import DurableFiles
import Foundation
import TestSupport
import XCTest

/// A path walked one name at a time: every directory crossed is checked before anything below
/// it is looked at, symlinks are followed by the walk itself, and the descriptor is what was checked.
final class CheckedPathTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws {
        root = try temporaryDirectory("walk", creating: ["a/b"])
        try "file".write(toFile: root + "/a/b/file", atomically: false, encoding: .utf8)
    }

    private struct Refusal: Error, Equatable {
        let path: String
        let errno: Int32
    }

    /// The directories crossed (with whether each holds the last name) and the resolved path.
    private func walk(_ path: String, followLastSymlink: Bool = true) throws(Refusal) -> (crossed: [String], resolved: String, type: mode_t) {
        var crossed: [String] = []
        let (descriptor, resolved) = try CheckedPath.open(path, followLastSymlink: followLastSymlink, failure: { Refusal(path: $0, errno: $1) }) {
            (crossing: DirectoryCrossing) throws(Refusal) in
            crossed.append(crossing.path + (crossing.holdsLastName ? " (holds)" : ""))
        }
        defer { close(descriptor) }
        var status = stat()
        fstat(descriptor, &status)
        return (crossed, resolved, status.st_mode & S_IFMT)
    }

    private func ancestors(of path: String) -> [String] {
        var result = ["/"], prefix = ""
        for name in path.split(separator: "/").dropLast() {
            prefix += "/" + name
            result.append(prefix)
        }
        return result
    }

    func testEveryDirectoryIsCrossedInOrderAndTheLastOneHoldsTheName() throws {
        let outcome = try walk(root + "/a/b/file")
        var expected = ancestors(of: root + "/a/b/file")
        expected[expected.count - 1] += " (holds)"
        XCTAssertEqual(outcome.crossed, expected)
        XCTAssertEqual(outcome.resolved, root + "/a/b/file")
        XCTAssertEqual(outcome.type, S_IFREG)
    }

    func testASymlinkIsFollowedThroughTheDirectoriesOfItsTarget() throws {
        XCTAssertEqual(mkdir(root + "/links", 0o755), 0)
        XCTAssertEqual(symlink("../a/b", root + "/links/relative"), 0)
        XCTAssertEqual(symlink(root + "/a/b/file", root + "/links/absolute"), 0)
        let relative = try walk(root + "/links/relative/file")
        XCTAssertEqual(relative.resolved, root + "/a/b/file")
        XCTAssertTrue(relative.crossed.contains(root + "/links"), "the link's own directory is checked: \(relative.crossed)")
        XCTAssertTrue(relative.crossed.contains(root + "/a/b (holds)"), "\(relative.crossed)")
        let absolute = try walk(root + "/links/absolute")
        XCTAssertEqual(absolute.resolved, root + "/a/b/file")
        XCTAssertTrue(absolute.crossed.contains(root + "/links (holds)"), "\(absolute.crossed)")
        XCTAssertTrue(absolute.crossed.contains(root + "/a/b (holds)"), "\(absolute.crossed)")
    }

    func testALastSymlinkIsReturnedUnfollowedWhenAsked() throws {
        XCTAssertEqual(symlink(root + "/a/b", root + "/link"), 0)
        let outcome = try walk(root + "/link", followLastSymlink: false)
        XCTAssertEqual(outcome.type, S_IFLNK)
        XCTAssertEqual(outcome.resolved, root + "/link")
    }

    func testARefusalStopsTheWalkBeforeItLooksBelow() {
        var crossed: [String] = []
        XCTAssertThrowsError(
            try CheckedPath.open(root + "/a/b/file", failure: { Refusal(path: $0, errno: $1) }) {
                (crossing: DirectoryCrossing) throws(Refusal) in
                crossed.append(crossing.path)
                if crossing.path == root + "/a" { throw Refusal(path: crossing.path, errno: EPERM) }
            }
        ) { XCTAssertEqual($0 as? Refusal, Refusal(path: root + "/a", errno: EPERM)) }
        XCTAssertEqual(crossed.last, root + "/a", "nothing below the refused directory was looked at")
    }

    func testALoopAndAMissingNameAreFailuresNamingThePath() {
        XCTAssertEqual(symlink(root + "/loop", root + "/loop"), 0)
        XCTAssertThrowsError(try walk(root + "/loop")) { XCTAssertEqual($0 as? Refusal, Refusal(path: root + "/loop", errno: ELOOP)) }
        XCTAssertThrowsError(try walk(root + "/a/missing/file")) { XCTAssertEqual($0 as? Refusal, Refusal(path: root + "/a/missing", errno: ENOENT)) }
        XCTAssertThrowsError(try walk(root + "/a/b/file/below")) { XCTAssertEqual($0 as? Refusal, Refusal(path: root + "/a/b/file", errno: ENOTDIR)) }
    }

    func testStickyWritableDirectoriesAreWritableByOthersOnlyWhenStickyIsNotEnough() throws {
        XCTAssertEqual(chmod(root + "/a", 0o1777), 0)
        var sticky: [Bool] = [], strict: [Bool] = []
        let (descriptor, _) = try CheckedPath.open(root + "/a/b", failure: { Refusal(path: $0, errno: $1) }) { (crossing: DirectoryCrossing) throws(Refusal) in
            guard crossing.path == root + "/a" else { return }
            sticky.append(crossing.writableByOthers(stickyIsEnough: true))
            strict.append(crossing.writableByOthers(stickyIsEnough: false))
        }
        close(descriptor)
        XCTAssertEqual(sticky, [false])
        XCTAssertEqual(strict, [true])
    }
}

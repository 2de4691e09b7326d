import Foundation
import LeaseService
import Synchronization
import SystemSupport
import TestSupport
import XCTest

final class DirectoryWatchTests: XCTestCase {
    /// Short, so that the tests are quick; long enough that one burst of writes is one change.
    private let settle = Duration.milliseconds(300)
    private var base = ""

    override func setUpWithError() throws {
        base = try temporaryDirectory("watch")
    }

    /// Counts the changes a watch tells.
    private final class Changes: Sendable {
        private let count = Mutex(0)
        func note() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }

        /// Waits until `expected` changes were told, at most `limit`; answers how many were.
        func wait(for expected: Int, within limit: Duration = .seconds(5)) async -> Int {
            let deadline = ContinuousClock.now + limit
            while value < expected, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            return value
        }
    }

    private func watch(_ path: String, _ changes: Changes) throws -> DirectoryWatch {
        let watch = try DirectoryWatch(path: path, settle: settle) { changes.note() }
        addTeardownBlock { watch.close() }
        return watch
    }

    func testAConfigMapUpdateIsOneChangeAndTheNewCredSpecReads() async throws {
        let path = base + "/credspecs"
        let volume = try AtomicWriterVolume(at: path)
        try volume.write(["WebApp01.json": CredSpecJSON(account: "WebApp01").text])
        let changes = Changes()
        _ = try watch(path, changes)
        // The kubelet's update: a new timestamped directory, ..data swapped, a key linked, the old directory removed.
        try volume.write(["WebApp01.json": CredSpecJSON(account: "WebApp01").text, "WebApp02.json": CredSpecJSON(account: "WebApp02").text])
        let told = await changes.wait(for: 1)
        XCTAssertEqual(told, 1)
        XCTAssertEqual(try CredSpecDirectory(path: path).read("WebApp02").primaryAccount, "WebApp02")
        try await Task.sleep(for: settle * 3)
        XCTAssertEqual(changes.value, 1, "one update of the volume is one change, however many entries it touched")
        // A second update later is a second change.
        try volume.write(["WebApp02.json": CredSpecJSON(account: "WebApp02").text])
        let second = await changes.wait(for: 2)
        XCTAssertEqual(second, 2)
        XCTAssertEqual(CredSpecDirectory(path: path).names(), ["WebApp02"])
    }

    func testAnEditInAPlainDirectoryIsAChange() async throws {
        let path = base + "/credspecs"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try CredSpecJSON(account: "WebApp01").text.write(toFile: path + "/WebApp01.json", atomically: false, encoding: .utf8)
        let changes = Changes()
        _ = try watch(path, changes)
        // Written in place, in several writes, then a chmod: one burst.
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path + "/WebApp01.json"))
        try handle.truncate(atOffset: 0)
        var edited = CredSpecJSON(account: "WebApp01")
        edited.accounts.append("WebApp03")
        for chunk in edited.text.utf8.chunked(into: 64) { try handle.write(contentsOf: Data(chunk)) }
        try handle.close()
        XCTAssertEqual(chmod(path + "/WebApp01.json", 0o600), 0)
        let told = await changes.wait(for: 1)
        XCTAssertEqual(told, 1)
        try await Task.sleep(for: settle * 3)
        XCTAssertEqual(changes.value, 1)
        XCTAssertEqual(try CredSpecDirectory(path: path).read("WebApp01").accounts, ["WebApp01", "WebApp03"])
    }

    func testADirectoryMissingAtStartIsWatchedOnceItIsMade() async throws {
        let path = base + "/credspecs"
        let changes = Changes()
        let watch = try watch(path, changes)
        XCTAssertFalse(watch.watchesDirectory)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let made = await changes.wait(for: 1)
        XCTAssertEqual(made, 1, "the directory appearing is a change")
        try CredSpecJSON(account: "WebApp01").text.write(toFile: path + "/WebApp01.json", atomically: true, encoding: .utf8)
        let written = await changes.wait(for: 2)
        XCTAssertEqual(written, 2, "a file in it, once it is watched, is another")
        XCTAssertTrue(watch.watchesDirectory)
    }

    func testADirectoryReplacedByARenameIsWatchedAgain() async throws {
        let path = base + "/credspecs"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let changes = Changes()
        _ = try watch(path, changes)
        let replacement = base + "/credspecs.new"
        try FileManager.default.createDirectory(atPath: replacement, withIntermediateDirectories: false)
        try CredSpecJSON(account: "WebApp01").text.write(toFile: replacement + "/WebApp01.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(rename(path, base + "/credspecs.old"), 0)
        XCTAssertEqual(rename(replacement, path), 0)
        let replaced = await changes.wait(for: 1)
        XCTAssertEqual(replaced, 1)
        // Changes in the new directory are seen, not those of the old one.
        try "x".write(toFile: base + "/credspecs.old/Stale.json", atomically: true, encoding: .utf8)
        try await Task.sleep(for: settle * 3)
        XCTAssertEqual(changes.value, 1, "the directory moved away is no longer watched")
        try CredSpecJSON(account: "WebApp02").text.write(toFile: path + "/WebApp02.json", atomically: true, encoding: .utf8)
        let fresh = await changes.wait(for: 2)
        XCTAssertEqual(fresh, 2)
    }

    func testNothingIsToldAfterClose() async throws {
        let path = base + "/credspecs"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let changes = Changes()
        let watch = try watch(path, changes)
        watch.close()
        try await Task.sleep(for: .milliseconds(600))
        try "x".write(toFile: path + "/WebApp01.json", atomically: true, encoding: .utf8)
        try await Task.sleep(for: settle * 3)
        XCTAssertEqual(changes.value, 0)
    }
}

extension Sequence {
    fileprivate func chunked(into size: Int) -> [[Element]] {
        var chunks: [[Element]] = [], current: [Element] = []
        for element in self {
            current.append(element)
            if current.count == size { chunks.append(current); current = [] }
        }
        return current.isEmpty ? chunks : chunks + [current]
    }
}

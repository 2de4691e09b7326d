import DurableFiles
import Foundation
import TestSupport
import XCTest

final class ContainedPathTests: XCTestCase {
    private var base = ""
    private var directory = ""

    override func setUpWithError() throws {
        base = try temporaryDirectory("contained")
        directory = base + "/volume"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try Data("outside".utf8).write(to: URL(fileURLWithPath: base + "/secret"))
    }

    /// Opens `name` inside `directory` and answers what it reads, or the error.
    private func read(_ name: String, check: (ContainedStep) -> String? = { _ in nil }) throws(ContainedPathError) -> String {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        precondition(descriptor >= 0)
        defer { close(descriptor) }
        let opened = try ContainedPath.open(name, in: descriptor, directoryPath: directory, flags: O_RDONLY, check: check)
        let handle = FileHandle(fileDescriptor: opened.descriptor, closeOnDealloc: true)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    private func escapes(_ name: String) -> ContainedPathError? {
        do { _ = try read(name) } catch {
            if case .escapes = error { return error }
            XCTFail("\(name): \(error), not an escape")
            return nil
        }
        XCTFail("\(name) was read, though it leads out of the directory")
        return nil
    }

    func testAKeyOfAnAtomicWriterVolumeIsReadThroughDataAndItsTimestampedDirectory() throws {
        let volume = try AtomicWriterVolume(at: directory)
        try volume.write(["portable-user": "first"])
        XCTAssertEqual(try read("portable-user"), "first")
        try volume.write(["portable-user": "second"])
        XCTAssertEqual(try read("portable-user"), "second")
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        let opened = try ContainedPath.open("portable-user", in: descriptor, directoryPath: directory, flags: O_RDONLY)
        close(opened.descriptor)
        XCTAssertEqual(opened.path, directory + "/" + volume.dataDirectory! + "/portable-user")
        XCTAssertEqual(opened.holderPath, directory + "/" + volume.dataDirectory!, "the file's own directory, not the volume's")
        XCTAssertEqual(opened.holder.st_mode & 0o7777, 0o755)
    }

    func testAPlainFileAndALinkBackUpInsideAreRead() throws {
        try Data("plain".utf8).write(to: URL(fileURLWithPath: directory + "/plain"))
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        XCTAssertEqual(symlink("../plain", directory + "/sub/up"), 0)
        XCTAssertEqual(try read("plain"), "plain")
        XCTAssertEqual(try read("sub/up"), "plain")
    }

    func testAnAbsoluteLinkIsRefusedEvenToAFileInside() throws {
        try Data("plain".utf8).write(to: URL(fileURLWithPath: directory + "/plain"))
        XCTAssertEqual(symlink(directory + "/plain", directory + "/absolute-inside"), 0)
        XCTAssertEqual(symlink(base + "/secret", directory + "/absolute-outside"), 0)
        XCTAssertNotNil(escapes("absolute-inside"))
        let error = escapes("absolute-outside")
        XCTAssertTrue("\(error.map { "\($0)" } ?? "")".contains("outside \(directory)"))
    }

    func testADotDotLinkOutOfTheDirectoryIsRefused() throws {
        XCTAssertEqual(symlink("../secret", directory + "/up"), 0)
        guard case let .escapes(_, link, target)? = escapes("up") else { return }
        XCTAssertEqual(link, directory + "/up")
        XCTAssertEqual(target, "../secret")
        XCTAssertNotNil(escapes("../secret"), "the name itself may not climb out either")
    }

    func testALinkChainThatLeavesAtItsLastStepIsRefused() throws {
        // first -> ..data/first, ..data -> ..ts, ..ts/first -> ../../secret: each hop looks local.
        try FileManager.default.createDirectory(atPath: directory + "/..ts", withIntermediateDirectories: false)
        XCTAssertEqual(symlink("..ts", directory + "/..data"), 0)
        XCTAssertEqual(symlink("../../secret", directory + "/..ts/first"), 0)
        XCTAssertEqual(symlink("..data/first", directory + "/first"), 0)
        guard case let .escapes(_, link, _)? = escapes("first") else { return }
        XCTAssertEqual(link, directory + "/..ts/first", "the error names the link that leaves")
    }

    func testALinkLoopEndsWithTooManyLinks() throws {
        XCTAssertEqual(symlink("b", directory + "/a"), 0)
        XCTAssertEqual(symlink("a", directory + "/b"), 0)
        XCTAssertThrowsError(try read("a")) { error in
            guard case .tooManyLinks = error as? ContainedPathError else { return XCTFail("\(error)") }
        }
    }

    func testTheCheckSeesEachLinkAndDirectoryAndCanRefuse() throws {
        let volume = try AtomicWriterVolume(at: directory)
        try volume.write(["key": "value"])
        var seen: [String] = []
        XCTAssertEqual(
            try read("key") { step in
                seen.append("\(step.kind) \(step.path.dropFirst(self.directory.count))")
                return nil
            }, "value")
        XCTAssertEqual(seen, ["symlink /key", "symlink /..data", "directory /\(volume.dataDirectory!)"])
        XCTAssertThrowsError(try read("key") { $0.kind == .directory ? "is not trusted" : nil }) { error in
            XCTAssertEqual(error as? ContainedPathError, .refused(path: directory + "/" + volume.dataDirectory!, reason: "is not trusted"))
        }
    }

    func testAMissingNameFailsWithENOENT() throws {
        XCTAssertThrowsError(try read("absent")) { error in
            guard case .failed(_, let path, ENOENT) = error as? ContainedPathError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, directory + "/absent")
        }
    }
}

import DurableFiles
import Foundation
import TestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("atomic")
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    func testWriteReplacesContentAndSetsModeRegardlessOfUmask() throws {
        let path = directory + "/krb5.keytab"
        let old = umask(0)
        defer { umask(old) }
        try AtomicFile.write(Array("old".utf8), to: path, ownership: .privateToCaller)
        try AtomicFile.write(Array("new content".utf8), to: path, ownership: .privateToCaller)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new content")
        XCTAssertEqual(try mode(path), 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["krb5.keytab"], "no temporary file is left")
    }

    func testFailedProducerLeavesTheOldFileAndNoTemporary() throws {
        struct Boom: Error {}
        let path = directory + "/krb5cc"
        try AtomicFile.write(Array("valid".utf8), to: path, ownership: .privateToCaller)
        XCTAssertThrowsError(
            try AtomicFile.replace(path, ownership: .privateToCaller) { temporary in
                try Data("partial".utf8).write(to: URL(fileURLWithPath: temporary))
                throw Boom()
            }
        ) { XCTAssertTrue($0 is Boom, "the producer's own error comes back: \($0)") }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "valid")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["krb5cc"])
    }

    func testWriteIntoMissingDirectoryNamesThePath() {
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory + "/missing/file", ownership: .privateToCaller)) { error in
            XCTAssertTrue("\(error)".contains("\(directory)/missing/"), "\(error)")
            XCTAssertTrue("\(error)".contains("No such file or directory"), "\(error)")
        }
    }

    func testConcurrentReaderNeverSeesAPartialFile() throws {
        let path = directory + "/krb5.keytab"
        let small = [UInt8](repeating: 0x41, count: 10), large = [UInt8](repeating: 0x42, count: 256 * 1024)
        try AtomicFile.write(small, to: path, ownership: .privateToCaller)
        let done = LockedFlag()
        let reader = Thread {
            while !done.value {
                if let data = FileManager.default.contents(atPath: path) {
                    let bytes = Array(data)
                    if bytes != small && bytes != large { done.fail("read \(bytes.count) bytes") }
                }
            }
        }
        reader.start()
        for round in 0..<200 { try AtomicFile.write(round.isMultiple(of: 2) ? large : small, to: path, ownership: .privateToCaller) }
        done.finish()
        while !reader.isFinished { usleep(1000) }
        XCTAssertNil(done.failure)
    }
}

private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = false
    private(set) var failure: String?
    var value: Bool { lock.withLock { finished } }
    func finish() { lock.withLock { finished = true } }
    func fail(_ reason: String) {
        lock.withLock {
            failure = reason; finished = true
        }
    }
}

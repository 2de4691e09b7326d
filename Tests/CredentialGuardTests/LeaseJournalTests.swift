@testable import CredentialGuard
import Foundation
import XCTest

final class LeaseJournalTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "/ccgd-journal-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func record(_ name: String? = nil) -> LeaseRecord {
        LeaseRecord(id: LeaseID(), credentialSpec: "{}", credentialSpecName: name, owner: LeaseOwner(uid: 1000, gid: 1000),
                    containerID: nil, mountPath: "/var/run/ccgd", createdAt: Date(timeIntervalSince1970: 1_900_000_000))
    }

    func testCreatorSurvivesAndOldRecordsWithoutItStillDecode() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        var created = record("a")
        created.creator = 1000
        try await journal.append(.created(created))
        let (records, _) = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(records.first?.creator, 1000)

        // A record as an older ccgd wrote it: no creator.
        var json = String(decoding: try JSONEncoder().encode(record("b")), as: UTF8.self)
        XCTAssertTrue(json.contains("\"creator\":null") || !json.contains("creator"), json)
        json = json.replacingOccurrences(of: ",\"creator\":null", with: "")
        let old = try JSONDecoder().decode(LeaseRecord.self, from: Data(json.utf8))
        XCTAssertNil(old.creator)
        XCTAssertEqual(old.credentialSpecName, "b")
    }

    func testCreationsAndDeletionsReplayToTheLiveLeasesInOrder() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        let a = record("a"), b = record("b"), c = record("c")
        for entry in [LeaseJournal.Entry.created(a), .created(b), .deleted(a.id), .created(c)] { try await journal.append(entry) }
        let (records, problems) = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(records.map(\.id), [b.id, c.id])
        XCTAssertEqual(problems, [])
    }

    func testOpeningCompactsTheJournalToItsLiveLeases() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        let kept = record()
        for _ in 0..<20 {
            let gone = record()
            try await journal.append(.created(gone))
            try await journal.append(.deleted(gone.id))
        }
        try await journal.append(.created(kept))
        _ = try LeaseJournal(directory: directory).open()
        let lines = try String(contentsOfFile: directory + "/leases.journal", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].contains(kept.id.value))
    }

    func testALineCutShortByACrashWasNeverAcknowledgedAndIsIgnored() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let whole = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        let cut = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self).dropLast(20)
        try (whole + cut).write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        let (records, problems) = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(records.count, 1)
        XCTAssertEqual(problems, [])
    }

    func testACorruptLineIsReportedAndTheRestKept() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let first = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        let last = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        try (first + "not json\n" + last).write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        let (records, problems) = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(records.count, 2)
        XCTAssertEqual(problems, ["\(directory)/leases.journal:2 is not a lease journal entry; it was skipped."])
    }

    func testConcurrentAppendsAllReachTheDisk() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        let records = (0..<200).map { _ in record() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records { group.addTask { try await journal.append(.created(record)) } }
            try await group.waitForAll()
        }
        let (replayed, _) = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(Set(replayed.map(\.id)), Set(records.map(\.id)))
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/leases.journal")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    func testLeaseIDsAreUnguessableAndSafeAsNames() {
        let ids = (0..<1000).map { _ in LeaseID() }
        XCTAssertEqual(Set(ids).count, 1000)
        for id in ids.prefix(20) {
            XCTAssertEqual(id.value.count, 24)
            XCTAssertNotNil(LeaseID(id.value))
        }
        for bad in ["../x", "l_", "l_../../../etc/passwd!!", "L_abcdefghijklmnopqrstuv", "l_abc/efghijklmnopqrstuv"] {
            XCTAssertNil(LeaseID(bad), bad)
        }
    }
}

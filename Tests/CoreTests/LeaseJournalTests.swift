import Foundation
import Glibc
import TestSupport
import XCTest
@testable import DomainModel
@testable import LeaseService

final class LeaseJournalTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        // The journal makes its own directory.
        directory = try temporaryDirectory("journal") + "/journal"
    }

    private func record(_ name: String? = nil) -> LeaseRecord {
        LeaseRecord(
            id: LeaseID(), credentialSpec: "{}", credentialSpecName: name, owner: LeaseOwner(uid: 1000, gid: 1000),
            containerID: nil, mountPath: "/var/run/ccgd", createdAt: Date(timeIntervalSince1970: 1_900_000_000))
    }

    func testLinesHaveFoundationsFieldsAndValuesAndReplayToTheRecord() throws {
        let spec = #"{"CmsPlugins":["ActiveDirectory"],"PluginInput":"/etc/ccgd/credentials/a b\"c"}"#
        var odd = LeaseRecord(
            id: LeaseID(), credentialSpec: spec, credentialSpecName: "Web \"01\"", owner: LeaseOwner(uid: 0, gid: 4_294_967_295),
            containerID: "quote\" back\\slash /slash \u{01}\n é 🙂", mountPath: "/var/run/ccgd/",
            createdAt: Date(timeIntervalSince1970: 1_764_669_600.123456))
        odd.creator = 1000
        odd.directory = "/run/ccgd/ecs/task 1/WebApp01"
        odd.creatorGID = 4_294_967_294
        odd.holder = LeaseHolder(pid: 2_147_483_647, startTime: 18_446_744_073_709_551_615, bootID: "1dddd3cd-cc88-4745-a1e7-1e66483a77e9")
        odd.expiresAt = Date(timeIntervalSince1970: 1_764_673_200.654321)
        odd.onBehalfOfOwner = true
        odd.frontEnd = "ecs"
        odd.fileAccess = .group
        odd.frontEndDetails = ["serviceAccount": "web/webapp", "target\"Path": "/var/lib/kubelet/pods/é 🙂\n"]
        odd.kubernetesPod = "webapp/web-1"
        for entry: LeaseJournal.Entry in [.created(record()), .created(odd), .deleted(LeaseID())] {
            let fast = try LeaseJournal.line(entry), foundation = try LeaseJournal.encodedLine(entry)
            XCTAssertEqual(fast.last, 0x0A)
            XCTAssertFalse(fast.dropLast().contains(0x0A), "one line")
            let parse = { (bytes: [UInt8]) in try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary }
            XCTAssertEqual(try parse(fast), try parse(foundation))
        }
        // Every field of the record is written (a field added to LeaseRecord but not to journalJSON fails here).
        let fields = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(LeaseJournal.line(.created(odd)))) as? [String: Any])["lease"] as? [String: Any]
        XCTAssertEqual(fields?.count, Mirror(reflecting: odd).children.count)
        let (records, damaged) = try LeaseJournal.replay(Data(try LeaseJournal.line(.created(odd)) + LeaseJournal.line(.created(record()))), path: "j")
        XCTAssertEqual(damaged, [])
        XCTAssertEqual(records.first, odd, "the record comes back exactly, the date to the microsecond")
    }

    func testCreatorSurvives() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        var created = record("a")
        created.creator = 1000
        try await journal.append(.created(created))
        let records = try LeaseJournal(directory: directory).open().records
        XCTAssertEqual(records.first?.creator, 1000)
    }

    func testCreationsAndDeletionsReplayToTheLiveLeasesInOrder() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        let a = record("a"), b = record("b"), c = record("c")
        for entry in [LeaseJournal.Entry.created(a), .created(b), .deleted(a.id), .created(c)] { try await journal.append(entry) }
        let contents = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(contents.records.map(\.id), [b.id, c.id])
        XCTAssertNil(contents.damage)
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
        let contents = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(contents.records.count, 1)
        XCTAssertNil(contents.damage)
    }

    func testACorruptLineIsReportedTheRestKeptAndTheFileKeptAside() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let first = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        let last = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        let original = first + "not json\n" + last
        try original.write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        let contents = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(contents.records.count, 2)
        let damage = try XCTUnwrap(contents.damage)
        XCTAssertEqual(damage.lines, [2])
        XCTAssertEqual(try String(contentsOfFile: damage.preservedCopy, encoding: .utf8), original, "kept byte for byte for repair")
        XCTAssertTrue(damage.description.contains("leases.journal"), damage.description)
    }

    func testAJournalThatCannotBeReadStopsTheStartInsteadOfCountingAsEmpty() throws {
        // A directory where the file should be: open(2) works, reading it as a journal cannot.
        try FileManager.default.createDirectory(atPath: directory + "/leases.journal", withIntermediateDirectories: true)
        XCTAssertThrowsError(try LeaseJournal(directory: directory).open()) { error in
            XCTAssertTrue("\(error)".contains("ccgd did not start so that no lease is lost"), "\(error)")
        }
    }

    func testAJournalOfANewerFormatStopsTheStart() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var line = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        line = line.replacingOccurrences(of: "\"v\":1", with: "\"v\":99")
        try line.write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try LeaseJournal(directory: directory).open()) { error in
            XCTAssertTrue("\(error)".contains("newer ccgd"), "\(error)")
        }
    }

    func testLinesCarryTheirFormatVersionAndOldLinesWithoutOneStillReplay() throws {
        let line = String(decoding: try LeaseJournal.line(.created(record())), as: UTF8.self)
        XCTAssertTrue(line.contains("\"v\":1"), line)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try line.replacingOccurrences(of: "\"v\":1,", with: "").write(toFile: directory + "/leases.journal", atomically: true, encoding: .utf8)
        let contents = try LeaseJournal(directory: directory).open()
        XCTAssertEqual(contents.records.count, 1)
        XCTAssertNil(contents.damage)
    }

    /// A real full file system: the append is cut short by ENOSPC, and must be cut back so that
    /// the next append starts on a line of its own.
    func testAFailedAppendIsCutBackAndTheNextOneReplays() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard mount("tmpfs", directory, "tmpfs", 0, "size=64k,mode=0700") == 0 else {
            throw XCTSkip("cannot mount a small tmpfs here (errno \(errno)); the fault needs a full file system")
        }
        defer { umount2(directory, Int32(MNT_DETACH)) }
        let journal = LeaseJournal(directory: directory + "/state")
        _ = try journal.open()
        let kept = record("kept")
        try await journal.append(.created(kept))
        // Fill the file system, leaving the journal's own page part-used.
        let filler = open(directory + "/filler", O_WRONLY | O_CREAT, 0o600)
        let page = [UInt8](repeating: 0x55, count: 4096)
        while page.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)
        let big = LeaseRecord(
            id: LeaseID(), credentialSpec: String(repeating: "x", count: 6000), credentialSpecName: nil,
            owner: LeaseOwner(uid: 1000, gid: 1000), containerID: nil, mountPath: "/var/run/ccgd",
            createdAt: Date(timeIntervalSince1970: 1_900_000_000))
        do {
            try await journal.append(.created(big))
            XCTFail("the append should have failed on a full file system")
        } catch {
            XCTAssertTrue("\(error)".contains("No space left"), "\(error)")
        }
        unlink(directory + "/filler")
        let after = record("after")
        try await journal.append(.created(after))
        let contents = try LeaseJournal(directory: directory + "/state").open()
        XCTAssertEqual(contents.records.map(\.id), [kept.id, after.id])
        XCTAssertNil(contents.damage, "no partial line swallowed the next append")
    }

    func testConcurrentAppendsAllReachTheDisk() async throws {
        let journal = LeaseJournal(directory: directory)
        _ = try journal.open()
        let records = (0..<200).map { _ in record() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records { group.addTask { try await journal.append(.created(record)) } }
            try await group.waitForAll()
        }
        let replayed = try LeaseJournal(directory: directory).open().records
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

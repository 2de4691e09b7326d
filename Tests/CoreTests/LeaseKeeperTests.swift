import CredSpec
@testable import Directory
import DurableFiles
import Foundation
import Kerberos
import KerberosKeys
import Synchronization
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import DomainModel
@testable import LeaseService
@testable import Observability

/// The lease keeper with an injected clock and a scripted account source: rotations, ticket
/// renewals, failures and coalescing, without waiting hours.
final class LeaseKeeperTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("keeper", creating: ["scratch"])
    }

    // MARK: fixtures

    /// A clock the test moves.
    final class TestClock: Sendable {
        private let time = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
        var now: Date { time.withLock { $0 } }
        func advance(by seconds: TimeInterval) { time.withLock { $0 += seconds } }
    }

    /// Answers fetches with the next blob of a script, and counts calls.
    final class ScriptedSource: AccountSource, @unchecked Sendable {
        struct Step {
            let kvno: UInt32
            let current: String
            let previous: String?
            /// The DC that answers (ManagedAccount.readFrom).
            var controller: String? = nil
        }

        let lock = NSLock()
        var steps: [Step]
        var fetches = 0
        var renewals = 0
        var failNext: Error?
        var delay: Duration = .zero
        let clock: TestClock
        let scratch: String

        init(clock: TestClock, scratch: String, steps: [Step]) {
            self.clock = clock
            self.scratch = scratch
            self.steps = steps
        }

        func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] {
            if delay > .zero { try await Task.sleep(for: delay) }
            let step: Step = try lock.withLock {
                fetches += 1
                if let failure = failNext { failNext = nil; throw failure }
                return steps.count > 1 ? steps.removeFirst() : steps[0]
            }
            return try accounts.map { try credentials(account: $0, spec: spec, step: step, ticket: fetches) }
        }

        func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials {
            let count: Int = try lock.withLock {
                renewals += 1
                if let failure = failNext { failNext = nil; throw failure }
                return renewals
            }
            return AccountCredentials(
                account: credentials.account, keytab: credentials.keytab,
                ticketCache: SecretBytes(Array("renewed-ticket-\(count)".utf8)), ticket: ticket())
        }

        private func ticket() -> TicketTimes {
            TicketTimes(authTime: clock.now, startTime: clock.now, endTime: clock.now.addingTimeInterval(36_000), renewUntil: nil)
        }

        /// A real blob, decoded and derived like one from a DC, and a keytab made by libkrb5.
        private func credentials(account: String, spec: CredentialSpec, step: Step, ticket number: Int) throws -> AccountCredentials {
            let blob = BlobBuilder.blob(current: step.current, previous: step.previous, queryInterval: 7200, unchangedInterval: 3600)
            let record = ManagedServiceAccountRecord(
                distinguishedName: "CN=\(account)", samAccountName: account.uppercased().hasSuffix("$") ? account : account + "$",
                managedPasswordBlob: SecretBytes(blob), keyVersionNumber: step.kvno, servicePrincipalNames: ["host/webapp01.contoso.test"],
                supportedEncryptionTypes: 28, objectSid: nil, objectGUID: nil, dnsHostName: nil, userAccountControl: 0x1000)
            var managed = try ManagedAccountFetcher.derive(record, realm: spec.realm, dnsDomain: spec.dnsDomain)
            managed = managed.fetched(at: clock.now)
            managed.readFrom = step.controller
            let path = scratch + "/\(UUID().uuidString).keytab"
            defer { unlink(path) }
            try CredentialFiles.writeKeytab(for: [managed], to: path, ownership: .privateToCaller)
            let keytab = SecretBytes(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            return AccountCredentials(account: managed, keytab: keytab, ticketCache: SecretBytes(Array("ticket-\(number)".utf8)), ticket: ticket())
        }
    }

    private let spec: CredentialSpec = try! CredSpecJSON().credentialSpec()

    private func keeper(_ source: ScriptedSource, clock: TestClock) -> LeaseKeeper {
        let journal = LeaseJournal(directory: directory + "/state")
        let settings = LeaseKeeper.Settings(
            runtimeDirectory: directory + "/run", journal: journal,
            credSpecs: CredSpecDirectory(path: directory + "/credspecs")
        ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) }
        try? FileManager.default.createDirectory(atPath: directory + "/run/leases", withIntermediateDirectories: true)
        _ = try? journal.open()
        return LeaseKeeper(settings: settings, source: source, now: { clock.now })
    }

    private func request() -> LeaseRequest {
        LeaseRequest(source: .inline(spec), owner: LeaseOwner(uid: getuid(), gid: getgid()))
    }

    /// The keytab's entries as "kvno enctype-number", and their keys, read back with libkrb5.
    private func keytab(of lease: Lease) throws -> [String] {
        let context = try KerberosContext(configurationFile: nil)
        return try Keytab(path: lease.directory + "/krb5.keytab", context: context).listing()
            .filter { $0.principal.hasPrefix("WebApp01$@") }.map { "\($0.keyVersionNumber) \($0.encryptionType)" }
    }

    private func keys(_ password: String) throws -> [KerberosKey] {
        let salt = Salt.computerAccount(realm: "CONTOSO.TEST", accountName: "WebApp01$", dnsDomain: "contoso.test")
        let utf16 = Array(password.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        return try KeyDerivation.keys(for: ManagedPassword(utf16LittleEndian: SecretBytes(utf16)), salt: salt, encryptionTypes: EncryptionType.allCases)
    }

    // MARK: tests

    func testPasswordRotationGivesTheNewKVNOAndKeepsTheOldKey() async throws {
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil),
                .init(kvno: 2, current: "Password-B", previous: "Password-A"),
            ])
        let keeper = keeper(source, clock: clock)
        let lease = try await keeper.create(request())
        XCTAssertEqual(try keytab(of: lease), ["1 18", "1 17", "1 23"])
        XCTAssertEqual(lease.identities.first?.kvno, 1)

        // Nothing is due before the unchanged interval (1 h, minus up to a tenth of jitter) ends.
        clock.advance(by: 3000)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.fetches, 1)

        clock.advance(by: 700)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.fetches, 2)
        let found = await keeper.lease(lease.id)
        let rotated = try XCTUnwrap(found)
        XCTAssertEqual(rotated.identities.first?.kvno, 2)
        XCTAssertEqual(try keytab(of: rotated), ["2 18", "2 17", "2 23", "1 18", "1 17", "1 23"])
        // The keys at each kvno are those of the right password.
        let written = try Data(contentsOf: URL(fileURLWithPath: lease.directory + "/krb5.keytab"))
        for key in try keys("Password-B") + keys("Password-A") {
            XCTAssertNotNil(key.bytes.withUnsafeBytes { written.range(of: Data($0)) }, "\(key.encryptionType) key missing")
        }
        XCTAssertEqual(try String(contentsOfFile: lease.directory + "/krb5cc", encoding: .utf8), "ticket-2")
    }

    func testMachineAccountNameIsThePrimaryIdentityOfTheLease() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "Password-A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        var secondJSON = CredSpecJSON(account: "WebApp02")
        secondJSON.accounts = ["WebApp01", "WebApp02"]
        let second = try secondJSON.credentialSpec()
        let lease = try await keeper.create(LeaseRequest(source: .inline(second), owner: LeaseOwner(uid: getuid(), gid: getgid())))

        XCTAssertEqual(lease.identities.map(\.account), ["WebApp02$", "WebApp01$"])
        XCTAssertEqual(lease.identities.map(\.ccache), ["krb5cc", "krb5cc-WebApp01"])
        XCTAssertEqual(lease.hostname, "WebApp02")
        XCTAssertTrue(FileManager.default.fileExists(atPath: lease.directory + "/krb5cc-WebApp01"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: lease.directory + "/krb5cc-WebApp02"), "the primary's cache is krb5cc")
    }

    func testPasswordReadBringsANewTicketWithIt() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "Password-A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        let lease = try await keeper.create(request())
        let accounts = await keeper.accountStatuses()
        XCTAssertEqual(accounts.first?.state, .fresh)
        // The password is due at 1 h, the ticket (10 h life) at 8 h: the password read comes first.
        clock.advance(by: 3700)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.fetches, 2)
        XCTAssertEqual(source.renewals, 0, "a password read brings a new ticket with it")
        XCTAssertEqual(try String(contentsOfFile: lease.directory + "/krb5cc", encoding: .utf8), "ticket-2")
    }

    func testDueTicketAloneIsRenewed() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "Password-A", previous: nil)])
        let journal = LeaseJournal(directory: directory + "/state")
        var settings = LeaseKeeper.Settings(
            runtimeDirectory: directory + "/run", journal: journal,
            credSpecs: CredSpecDirectory(path: directory + "/credspecs")
        ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) }
        settings.policy.ticketRenewalFraction = 0.01 // due after 6 minutes, long before the password
        try FileManager.default.createDirectory(atPath: directory + "/run/leases", withIntermediateDirectories: true)
        _ = try journal.open()
        let keeper = LeaseKeeper(settings: settings, source: source, now: { clock.now })
        let lease = try await keeper.create(request())
        clock.advance(by: 400)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.renewals, 1)
        XCTAssertEqual(source.fetches, 1)
        XCTAssertEqual(try String(contentsOfFile: lease.directory + "/krb5cc", encoding: .utf8), "renewed-ticket-1")
        XCTAssertEqual(try keytab(of: lease), ["1 18", "1 17", "1 23"], "the keytab is unchanged")
    }

    func testFailedRefreshKeepsTheFilesAndRetriesWithBackoff() async throws {
        struct Down: Error, CustomStringConvertible { var description: String { "no domain controller answered" } }
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil),
                .init(kvno: 2, current: "Password-B", previous: "Password-A"),
            ])
        let keeper = keeper(source, clock: clock)
        let lease = try await keeper.create(request())
        let before = try Data(contentsOf: URL(fileURLWithPath: lease.directory + "/krb5.keytab"))
        clock.advance(by: 3700)
        source.failNext = Down()
        await keeper.refreshDue(at: clock.now)
        let failed = await keeper.accountStatuses().first
        XCTAssertEqual(failed?.state, .stale, "the ticket is still valid")
        XCTAssertEqual(failed?.lastError, "no domain controller answered")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: lease.directory + "/krb5.keytab")), before, "the lease keeps its files")
        let retry = try XCTUnwrap(failed?.refreshAt)
        XCTAssertEqual(retry.timeIntervalSince(clock.now), 30, accuracy: 6.1, "first retry after about 30 s")

        // Not yet due: nothing happens; at the retry time the rotation goes through.
        await keeper.refreshDue(at: clock.now.addingTimeInterval(10))
        XCTAssertEqual(source.fetches, 2)
        clock.advance(by: 40)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.fetches, 3)
        let recovered = await keeper.accountStatuses().first
        XCTAssertEqual(recovered?.state, .fresh)
        XCTAssertEqual(recovered?.kvno, 2)
        XCTAssertNil(recovered?.lastError)
    }

    func testRepeatedFailuresBackOffExponentiallyUpToTheCap() async throws {
        struct Down: Error {}
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        _ = try await keeper.create(request())
        clock.advance(by: 3700)
        var delays: [Double] = []
        for _ in 0..<8 {
            source.failNext = Down()
            await keeper.refreshDue(at: clock.now)
            let status = await keeper.accountStatuses().first
            let next = try XCTUnwrap(status?.refreshAt)
            delays.append(next.timeIntervalSince(clock.now))
            clock.advance(by: next.timeIntervalSince(clock.now))
        }
        for (index, delay) in delays.enumerated() {
            let expected = min(30 * pow(2, Double(index)), 600)
            XCTAssertEqual(delay, expected, accuracy: expected * 0.21, "retry \(index + 1)")
        }
    }

    func testConcurrentLeasesForAnUncachedAccountShareOneFetch() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        source.delay = .milliseconds(200)
        let keeper = keeper(source, clock: clock)
        let request = request()
        let ids = try await withThrowingTaskGroup(of: LeaseID.self) { group in
            for _ in 0..<32 { group.addTask { try await keeper.create(request).id } }
            return try await group.reduce(into: Set<LeaseID>()) { $0.insert($1) }
        }
        XCTAssertEqual(ids.count, 32)
        XCTAssertEqual(source.fetches, 1)
        let fetchCount = await keeper.fetchCount
        XCTAssertEqual(fetchCount, 1)
    }

    func testCachedAccountIsServedOnlyThroughTheSamePluginAndInput() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        func lease(_ spec: CredentialSpec) async throws -> Lease {
            try await keeper.create(LeaseRequest(source: .inline(spec), owner: LeaseOwner(uid: getuid(), gid: getgid())))
        }
        _ = try await lease(spec)
        _ = try await lease(spec)
        XCTAssertEqual(source.fetches, 1, "the same plug-in and input share the cached account")

        // Another input for the same gMSA: its plug-in is asked, and its failure is the answer.
        struct PluginRefused: Error {}
        source.failNext = PluginRefused()
        let other = try spec.replacingPluginInput(.string("/y"))
        do {
            _ = try await lease(other)
            XCTFail("a lease was served from keys cached through another input")
        } catch {}
        XCTAssertEqual(source.fetches, 2)
        clock.advance(by: 6) // past the failed fetch's hold
        _ = try await lease(other)
        XCTAssertEqual(source.fetches, 3)

        // Another plug-in with the same input: fetched through it too.
        let json = String(decoding: spec.jsonData(), as: UTF8.self)
            .replacingOccurrences(of: "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", with: "6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60")
        _ = try await lease(try CredentialSpec(jsonData: Data(json.utf8)))
        XCTAssertEqual(source.fetches, 4)

        // An object input is compared by content, not by the order of its members.
        _ = try await lease(try spec.replacingPluginInput(.object(["path": .string("/x"), "mode": .string("r")])))
        _ = try await lease(try spec.replacingPluginInput(.object(["mode": .string("r"), "path": .string("/x")])))
        XCTAssertEqual(source.fetches, 5)
        let accounts = await keeper.accountStatuses()
        XCTAssertEqual(accounts.count, 4, "one cached entry per plug-in and input")
    }

    func testAccountWithoutLeasesIsForgottenInsteadOfRefreshed() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        let lease = try await keeper.create(request())
        try await keeper.delete(lease.id)
        clock.advance(by: 3700)
        await keeper.refreshDue(at: clock.now)
        XCTAssertEqual(source.fetches, 1)
        let accounts = await keeper.accountStatuses()
        XCTAssertTrue(accounts.isEmpty)
    }

    func testLeasesDeletedDuringARotationStayDeleted() async throws {
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil),
                .init(kvno: 2, current: "Password-B", previous: "Password-A"),
            ])
        let keeper = keeper(source, clock: clock)
        var ids: [LeaseID] = []
        for _ in 0..<150 { ids.append(try await keeper.create(request()).id) }
        clock.advance(by: 3700)
        // The rotation rewrites every lease while the runtime deletes them all.
        async let refresh: Void = keeper.refreshDue(at: clock.now)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids { group.addTask { try await keeper.delete(id) } }
            try await group.waitForAll()
        }
        await refresh
        let count = await keeper.leaseCount
        XCTAssertEqual(count, 0, "a deleted lease came back")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory + "/run/leases")
        XCTAssertEqual(left, [], "a deleted lease's directory came back")
    }

    func testADamagedJournalRecordNeverDeletesALeaseDirectory() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let first = keeper(source, clock: clock)
        var leases: [Lease] = []
        for _ in 0..<3 { leases.append(try await first.create(request())) }
        // Damage the middle record, as a disk error or a careless edit would.
        let path = directory + "/state/leases.journal"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[1] = String(lines[1].prefix(40)) + "#garbage#"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let second = keeper(source, clock: clock)
        let restored = try await second.restore()
        XCTAssertEqual(restored, 2)
        for lease in leases {
            XCTAssertTrue(FileManager.default.fileExists(atPath: lease.directory + "/krb5.keytab"), "\(lease.id)'s directory was deleted")
        }
        let copies = try FileManager.default.contentsOfDirectory(atPath: directory + "/state").filter { $0.hasPrefix("leases.journal.damaged-") }
        XCTAssertEqual(copies.count, 1, "the damaged journal is kept for repair")
        // A second start (the journal now reads clean) still keeps them while the copy is there.
        let third = keeper(source, clock: clock)
        _ = try await third.restore()
        for lease in leases {
            XCTAssertTrue(FileManager.default.fileExists(atPath: lease.directory + "/krb5.keytab"), "\(lease.id)'s directory was deleted")
        }
    }

    func testADamagedJournalCopyIsNamedByItsTimeAndKeepsHealthDegradedUntilItIsRemoved() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let first = keeper(source, clock: clock)
        _ = try await first.create(request())
        _ = try await first.create(request())
        let path = directory + "/state/leases.journal"
        try (String(contentsOfFile: path, encoding: .utf8) + "{\"op\": \"garbage\"}\n").write(toFile: path, atomically: true, encoding: .utf8)

        let second = keeper(source, clock: clock)
        _ = try await second.restore()
        let copies = await second.damagedJournalCopies()
        XCTAssertEqual(copies.count, 1)
        // The time of its discovery, in UTC, as the README says: leases.journal.damaged-20260101T120000Z.
        let name = (copies.first ?? "").split(separator: "/").last.map(String.init) ?? ""
        XCTAssertNotNil(name.wholeMatch(of: /leases\.journal\.damaged-\d{8}T\d{6}Z/), name)

        // Across a restart too: the copy, not the start that found it, keeps health degraded.
        let third = keeper(source, clock: clock)
        _ = try await third.restore()
        let metrics = Metrics()
        let degraded = await HealthReport.assess(keeper: third, health: ControllerHealth())
        XCTAssertTrue(degraded.degraded)
        XCTAssertTrue(degraded.reasons.contains { $0.contains(copies[0]) && $0.contains("delete it") }, "\(degraded.reasons)")
        degraded.publish(to: metrics)
        XCTAssertTrue(metrics.rendered().contains("\nccgd_journal_damaged_copies 1\n"))
        XCTAssertTrue(metrics.rendered().contains("\nccgd_health_degraded 1\n"))

        try FileManager.default.removeItem(atPath: copies[0])
        let healed = await HealthReport.assess(keeper: third, health: ControllerHealth())
        XCTAssertEqual(healed.reasons, [])
        healed.publish(to: metrics)
        XCTAssertTrue(metrics.rendered().contains("\nccgd_journal_damaged_copies 0\n"))
        XCTAssertTrue(metrics.rendered().contains("\nccgd_health_degraded 0\n"))
    }

    func testTwoDamagesInOneSecondKeepTwoCopies() throws {
        let path = directory + "/leases.journal"
        let time = Date(timeIntervalSince1970: 1_900_000_000)
        let first = LeaseJournal.freshCopyName(for: path, at: time)
        XCTAssertEqual(first, path + ".damaged-20300317T174640Z")
        _ = FileManager.default.createFile(atPath: first, contents: Data())
        XCTAssertEqual(LeaseJournal.freshCopyName(for: path, at: time), path + ".damaged-20300317T174640Z-2")
    }

    func testAnUnreadableJournalStopsTheRestoreAndKeepsEveryDirectory() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let first = keeper(source, clock: clock)
        let lease = try await first.create(request())
        let path = directory + "/state/leases.journal"
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let second = LeaseKeeper(
            settings: LeaseKeeper.Settings(
                runtimeDirectory: directory + "/run", journal: LeaseJournal(directory: directory + "/state"),
                credSpecs: CredSpecDirectory(path: directory + "/credspecs")
            ) { realm, _ in
                KerberosConfiguration(defaultRealm: realm, realms: [])
            },
            source: source, now: { clock.now })
        do {
            try await second.restore()
            XCTFail("an unreadable journal must stop the start")
        } catch {
            XCTAssertTrue("\(error)".contains("no lease is lost"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: lease.directory + "/krb5.keytab"))
    }

    func testInlinePasswordNeverReachesTheStateDirectory() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let keeper = keeper(source, clock: clock)
        let json = String(decoding: spec.jsonData(), as: UTF8.self)
            .replacingOccurrences(of: "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", with: "6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60")
            .replacingOccurrences(of: "\"/x\"", with: "\"contoso.test:user:Inline-Secret-1\"")
        let inline = try CredentialSpec(jsonData: Data(json.utf8))
        let lease = try await keeper.create(LeaseRequest(source: .inline(inline), owner: LeaseOwner(uid: getuid(), gid: getgid())))
        let record = try String(contentsOfFile: directory + "/state/leases.journal", encoding: .utf8)
        XCTAssertTrue(record.contains(lease.id.value))
        XCTAssertFalse(record.contains("Inline-Secret-1"))
        XCTAssertTrue(record.contains("redacted"), record)
    }
}

/// MS-ADTS 2.2.19 blobs for tests, built field by field.
enum BlobBuilder {
    static func blob(current: String, previous: String?, queryInterval: Int64, unchangedInterval: Int64) -> [UInt8] {
        func utf16(_ text: String) -> [UInt8] { Array(text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0] }
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le64(_ value: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        let currentBytes = utf16(current), previousBytes = previous.map(utf16) ?? []
        let currentOffset = 16
        let previousOffset = previous == nil ? 0 : currentOffset + currentBytes.count
        var queryOffset = currentOffset + currentBytes.count + previousBytes.count
        queryOffset += (8 - queryOffset % 8) % 8
        let unchangedOffset = queryOffset + 8
        let length = unchangedOffset + 8
        var bytes = le16(1) + le16(0) + le16(length) + le16(0) + le16(currentOffset) + le16(previousOffset) + le16(queryOffset) + le16(unchangedOffset)
        bytes += currentBytes + previousBytes
        bytes += [UInt8](repeating: 0, count: queryOffset - bytes.count)
        bytes += le64(queryInterval * 10_000_000) + le64(unchangedInterval * 10_000_000)
        return bytes
    }
}

// MARK: - A forced read of the accounts one plug-in input vouches for (the ECS agent's renewal)

extension LeaseKeeperTests {
    func testRefreshAccountsFetchedThroughOneInputReadsOnlyThoseAndRewritesTheirLeases() async throws {
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "A", previous: nil), .init(kvno: 1, current: "A", previous: nil), .init(kvno: 2, current: "B", previous: "A"),
            ])
        let keeper = keeper(source, clock: clock)
        let other = try spec.replacingPluginInput(.string("/y"))
        let renewed = try await keeper.create(request())
        let untouched = try await keeper.create(LeaseRequest(source: .inline(other), owner: LeaseOwner(uid: getuid(), gid: getgid())))
        XCTAssertEqual(source.fetches, 2)

        // Nothing is due: only the force reads the password again, and only through input "/x".
        let host = try XCTUnwrap(spec.hostAccountConfig)
        let (leases, failure) = await keeper.refreshAccounts(fetchedThrough: host)
        XCTAssertNil(failure)
        XCTAssertEqual(leases.map(\.id), [renewed.id])
        XCTAssertEqual(source.fetches, 3)
        XCTAssertTrue(try keytab(of: renewed).contains { $0.hasPrefix("2 ") }, "the renewed lease's files hold the new kvno")
        XCTAssertFalse(try keytab(of: untouched).contains { $0.hasPrefix("2 ") }, "another input's lease was rewritten")
        let identity = await keeper.lease(renewed.id)?.identities.first
        XCTAssertEqual(identity?.kvno, 2)

        // A refused read is the answer; the lease keeps its files.
        struct Refused: Error {}
        source.failNext = Refused()
        let (_, refused) = await keeper.refreshAccounts(fetchedThrough: host)
        XCTAssertNotNil(refused)
        XCTAssertEqual(source.fetches, 4)
        XCTAssertTrue(try keytab(of: renewed).contains { $0.hasPrefix("2 ") })

        // An input no lease uses reads nothing.
        let nobody = HostAccountConfig(pluginGUID: host.pluginGUID, pluginInput: .string("/z"))
        let (none, noFailure) = await keeper.refreshAccounts(fetchedThrough: nobody)
        XCTAssertTrue(none.isEmpty)
        XCTAssertNil(noFailure)
        XCTAssertEqual(source.fetches, 4)
    }

    /// A lease directory the request chose (the ECS agent's layout) is journaled and comes back
    /// after a restart at the same place; a default one is not recorded.
    func testAChosenLeaseDirectoryIsJournaledAndRestoredThere() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let first = keeper(source, clock: clock)
        let chosen = directory + "/krbdir/abcdefghij/WebApp01"
        try FileManager.default.createDirectory(atPath: directory + "/krbdir/abcdefghij", withIntermediateDirectories: true)
        var request = request()
        request.directory = chosen
        let lease = try await first.create(request)
        let plain = try await first.create(self.request())
        XCTAssertEqual(lease.directory, chosen)
        XCTAssertTrue(FileManager.default.fileExists(atPath: chosen + "/krb5cc"))
        let journal = try String(contentsOfFile: directory + "/state/leases.journal", encoding: .utf8)
        XCTAssertEqual(journal.components(separatedBy: "\"directory\"").count - 1, 1, journal)

        let second = keeper(source, clock: clock)
        let restoredCount = try await second.restore()
        XCTAssertEqual(restoredCount, 2)
        let restored = await second.lease(lease.id)
        XCTAssertEqual(restored?.directory, chosen)
        let restoredPlain = await second.lease(plain.id)
        XCTAssertEqual(restoredPlain?.directory, directory + "/run/leases/" + plain.id.value)
        try await second.delete(lease.id)
        XCTAssertFalse(FileManager.default.fileExists(atPath: chosen))
    }

    /// With a restore window, a restored lease whose files are in place is served at once and its
    /// accounts fetched in the background within the window, then its files rewritten; a lease
    /// whose files are gone is fetched before the restore ends, as without a window. Leases of
    /// named CredSpecs are recorded as recently used, for the next start's prefetch.
    func testRestoredLeasesWithTheirFilesInPlaceAreFetchedInTheBackgroundWithinTheWindow() async throws {
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "A", previous: nil), .init(kvno: 2, current: "B", previous: "A"),
            ])
        let first = keeper(source, clock: clock)
        let kept = try await first.create(request())
        let other = try CredentialSpec(
            jsonData: Data(
                String(decoding: spec.jsonData(prettyPrinted: false), as: UTF8.self)
                    .replacingOccurrences(of: "WebApp01", with: "WebApp02").utf8))
        let lost = try await first.create(LeaseRequest(source: .inline(other), owner: LeaseOwner(uid: getuid(), gid: getgid())))
        try FileManager.default.removeItem(atPath: lost.directory)
        XCTAssertEqual(source.fetches, 2)

        let second = keeper(source, clock: clock)
        await second.useBackgroundFetches(BackgroundFetchSettings(window: .milliseconds(300)))
        let started = ContinuousClock.now
        let count = try await second.restore()
        XCTAssertEqual(count, 2)
        XCTAssertEqual(source.fetches, 3, "only the lease without files was fetched during the restore")
        let waiting = await second.lease(kept.id)
        XCTAssertEqual(waiting?.identities, [], "not fetched yet: its files from before serve")
        XCTAssertTrue(FileManager.default.fileExists(atPath: kept.directory + "/krb5cc"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: lost.directory + "/krb5cc"), "written again at once")
        await second.restoredFetches?.value
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
        XCTAssertEqual(source.fetches, 4)
        let fetched = await second.lease(kept.id)
        XCTAssertEqual(fetched?.identities.map(\.kvno), [2], "fetched and its files rewritten")
        XCTAssertTrue(try keytab(of: XCTUnwrap(fetched)).contains { $0.hasPrefix("2 ") }, "the keytab holds the new kvno")
    }

    /// The mode and owner of `path` as "uid:gid mode".
    private func ownership(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0 else { return "missing" }
        return "\(status.st_uid):\(status.st_gid) " + String(status.st_mode & 0o7777, radix: 8)
    }

    /// A lease with group access is readable by its owner's gid and nobody else (0750, 0640);
    /// the journal keeps the access, so the files a restart writes have the same modes. A lease
    /// without it keeps today's 0700 and 0600.
    func testGroupAccessIsWrittenJournaledAndWrittenAgainAfterARestart() async throws {
        let clock = TestClock()
        let source = ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
        let first = keeper(source, clock: clock)
        let owner = LeaseOwner(uid: 1000, gid: 4000)
        let shared = try await first.create(LeaseRequest(source: .inline(spec), owner: owner, fileAccess: .group))
        let own = try await first.create(LeaseRequest(source: .inline(spec), owner: owner))
        let files = [LeaseDirectory.keytab, LeaseDirectory.ticketCache, LeaseDirectory.kerberosConfiguration]
        XCTAssertEqual(shared.fileAccess, .group)
        XCTAssertEqual(ownership(shared.directory), "1000:4000 750")
        for name in files { XCTAssertEqual(ownership(shared.directory + "/" + name), "1000:4000 640", name) }
        XCTAssertEqual(ownership(own.directory), "1000:4000 700")
        for name in files { XCTAssertEqual(ownership(own.directory + "/" + name), "1000:4000 600", name) }
        let journal = try String(contentsOfFile: directory + "/state/leases.journal", encoding: .utf8)
        XCTAssertEqual(journal.components(separatedBy: #""fileAccess":"group""#).count - 1, 1, journal)

        // Modes lost while ccgd was down come back from the record.
        for path in [shared.directory] + files.map({ shared.directory + "/" + $0 }) { XCTAssertEqual(chmod(path, 0o600), 0) }
        let second = keeper(source, clock: clock)
        try await second.restore()
        let restored = await second.lease(shared.id)
        XCTAssertEqual(restored?.fileAccess, .group)
        XCTAssertEqual(ownership(shared.directory), "1000:4000 750")
        for name in files { XCTAssertEqual(ownership(shared.directory + "/" + name), "1000:4000 640", name) }
        let restoredOwn = await second.lease(own.id)
        XCTAssertEqual(restoredOwn?.fileAccess, .owner)
        XCTAssertEqual(ownership(own.directory + "/krb5cc"), "1000:4000 600")
    }

    /// Leases moved to another CredSpec (another plug-in input: the ECS agent's rotation to a new
    /// portable user) are read through it, keep their directory, and are restored with it after a
    /// restart; a move whose accounts cannot be read leaves the lease as it was.
    func testAdoptedCredSpecsAreReadRecordedAndRestored() async throws {
        let clock = TestClock()
        let source = ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "A", previous: nil), .init(kvno: 2, current: "B", previous: "A"),
            ])
        let first = keeper(source, clock: clock)
        let leases = [try await first.create(request()), try await first.create(request())]
        XCTAssertEqual(source.fetches, 1)
        let moved = try spec.replacingPluginInput(.string("/y"))

        // A refused read: nothing moves.
        struct Refused: Error {}
        source.failNext = Refused()
        let (none, failure) = await first.adopt([leases[0].id: moved])
        XCTAssertTrue(none.isEmpty)
        XCTAssertNotNil(failure)
        let unmoved = await first.lease(leases[0].id)
        XCTAssertEqual(unmoved?.credentialSpec, spec)

        // Forgotten failures aside, both move with one read through the new input.
        await first.forgetFailedFetches()
        let (adopted, noFailure) = await first.adopt(Dictionary(uniqueKeysWithValues: leases.map { ($0.id, moved) }))
        XCTAssertNil(noFailure)
        XCTAssertEqual(Set(adopted.map(\.id)), Set(leases.map(\.id)))
        XCTAssertEqual(source.fetches, 3, "one failed read, one read for both leases")
        for lease in leases {
            let current = await first.lease(lease.id)
            XCTAssertEqual(current?.directory, lease.directory)
            XCTAssertTrue(try keytab(of: lease).contains { $0.hasPrefix("2 ") }, "the files hold what the new input read")
        }
        // A refresh of the former input reads nothing: no lease uses it any more.
        let (former, _) = await first.refreshAccounts(fetchedThrough: try XCTUnwrap(spec.hostAccountConfig))
        XCTAssertTrue(former.isEmpty)

        let second = keeper(source, clock: clock)
        try await second.restore()
        for lease in leases {
            let restored = await second.lease(lease.id)
            XCTAssertEqual(restored?.credentialSpec.hostAccountConfig?.pluginInput.text, "/y", "the record follows the move")
        }
    }
}

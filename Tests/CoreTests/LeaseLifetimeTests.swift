import Configuration
import ContainerRequest
import CredSpec
import Foundation
import Kerberos
import ProcessIdentity
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import LeaseService

/// Every lease ends: with its holder process, at its expiry, when the policy or its CredSpec no
/// longer allows it; and no creator can hold more than its share.
final class LeaseLifetimeTests: XCTestCase {
    private typealias TestClock = LeaseKeeperTests.TestClock
    private typealias ScriptedSource = LeaseKeeperTests.ScriptedSource

    private var directory = ""
    private var children: [Process] = []

    override func setUpWithError() throws {
        directory = try temporaryDirectory("lifetime", creating: ["scratch", "run/leases", "credspecs"])
        try Self.specJSON.write(toFile: directory + "/credspecs/WebApp01.json", atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() }
    }

    private static let specJSON = CredSpecJSON().text
    private let spec = try! CredentialSpec(jsonData: Data(specJSON.utf8))

    private func source(_ clock: TestClock) -> ScriptedSource {
        ScriptedSource(clock: clock, scratch: directory + "/scratch", steps: [.init(kvno: 1, current: "A", previous: nil)])
    }

    /// A keeper on the test's directories; `opened`: its journal opened as a start-up without
    /// records would (false: the test calls `restore`).
    private func keeper(
        _ source: ScriptedSource, clock: TestClock, limits: LeaseLimits = LeaseLimits(),
        reserved: Set<PluginGUID> = [], opened: Bool = true
    ) -> LeaseKeeper {
        let journal = LeaseJournal(directory: directory + "/state")
        if opened { _ = try? journal.open() }
        var settings = LeaseKeeper.Settings(
            runtimeDirectory: directory + "/run", journal: journal, credSpecs: CredSpecDirectory(path: directory + "/credspecs")
        ) { realm, _ in KerberosConfiguration(defaultRealm: realm, realms: []) }
        settings.limits = limits
        settings.reservedPlugins = reserved
        return LeaseKeeper(settings: settings, source: source, now: { clock.now })
    }

    /// A process of the test's own to hold leases: `sleep`, ended by `stop`.
    private func holderProcess() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["600"]
        try process.run()
        children.append(process)
        return process
    }

    private func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits (up to 20 s) until `condition` holds; the watch reacts at once, the bound is for slow machines.
    private func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<200 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("never: \(what)")
    }

    private func request(holder: LeaseHolder? = nil, creator: UInt32 = 0, named: Bool = false) -> LeaseRequest {
        LeaseRequest(
            source: named ? .named("WebApp01") : .inline(spec), owner: LeaseOwner(uid: getuid(), gid: getgid()),
            creator: creator, holder: holder)
    }

    // MARK: holders

    func testALeaseEndsWhenItsHolderProcessExits() async throws {
        let clock = TestClock()
        let keeper = keeper(source(clock), clock: clock)
        let holder = try holderProcess()
        let other = try holderProcess()
        let held = try await keeper.create(request(holder: LeaseHolder(pid: holder.processIdentifier)))
        let alsoHeld = try await keeper.create(request(holder: LeaseHolder(pid: holder.processIdentifier)))
        let otherHeld = try await keeper.create(request(holder: LeaseHolder(pid: other.processIdentifier)))
        XCTAssertEqual(held.holder?.startTime, ProcessStart.ticks(of: holder.processIdentifier), "ccgd reads the start time itself")
        XCTAssertTrue(FileManager.default.fileExists(atPath: held.directory))

        stop(holder)
        try await eventually("both leases of the exited holder end") {
            let first = await keeper.lease(held.id), second = await keeper.lease(alsoHeld.id)
            return first == nil && second == nil
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: held.directory), "its directory goes with it")
        let stillThere = await keeper.lease(otherHeld.id)
        XCTAssertNotNil(stillThere, "another holder's lease stays")
        let watched = await keeper.watchedHolders
        XCTAssertEqual(watched, 1, "the exited holder is no longer watched")
    }

    func testAHolderThatIsNotRunningIsRefusedBeforeAnyFetch() async throws {
        let clock = TestClock()
        let source = source(clock)
        let keeper = keeper(source, clock: clock)
        let gone = try holderProcess()
        let pid = gone.processIdentifier
        stop(gone)
        do {
            _ = try await keeper.create(request(holder: LeaseHolder(pid: pid)))
            XCTFail("a lease was made for a holder that has exited")
        } catch {
            XCTAssertEqual(error.code, .holderGone)
            XCTAssertTrue(error.description.contains("process \(pid)"), error.description)
        }
        XCTAssertEqual(source.fetches, 0, "no DC is asked for a lease nobody holds")
        let count = await keeper.leaseCount
        XCTAssertEqual(count, 0)
    }

    func testAHolderWhosePidNowBelongsToAnotherProcessIsRefused() async throws {
        let clock = TestClock()
        let keeper = keeper(source(clock), clock: clock)
        let running = try holderProcess()
        let ticks = try XCTUnwrap(ProcessStart.ticks(of: running.processIdentifier))
        do {
            _ = try await keeper.create(request(holder: LeaseHolder(pid: running.processIdentifier, startTime: ticks &- 1)))
            XCTFail("a lease was made for an earlier process of the same pid")
        } catch {
            XCTAssertEqual(error.code, .holderGone)
            XCTAssertTrue(error.description.contains("belongs to another process"), error.description)
        }
        let lease = try await keeper.create(request(holder: LeaseHolder(pid: running.processIdentifier, startTime: ticks)))
        XCTAssertEqual(lease.holder?.startTime, ticks)
    }

    func testRestoredLeasesWhoseHolderIsGoneEndAndTheOthersAreWatchedAgain() async throws {
        let clock = TestClock()
        let first = keeper(source(clock), clock: clock, opened: false)
        try await first.restore()
        let alive = try holderProcess(), dying = try holderProcess()
        let kept = try await first.create(request(holder: LeaseHolder(pid: alive.processIdentifier)))
        let ended = try await first.create(request(holder: LeaseHolder(pid: dying.processIdentifier)))
        let unheld = try await first.create(request())
        await first.stopAccepting()
        // ccgd is down while the holder exits: nobody watches it.
        let second = keeper(source(clock), clock: clock, opened: false)
        stop(dying)
        let restored = try await second.restore()
        XCTAssertEqual(restored, 2)
        let gone = await second.lease(ended.id)
        XCTAssertNil(gone, "the lease of a holder that exited while ccgd was down does not come back")
        XCTAssertFalse(FileManager.default.fileExists(atPath: ended.directory))
        let keptAgain = await second.lease(kept.id), unheldAgain = await second.lease(unheld.id)
        XCTAssertNotNil(keptAgain)
        XCTAssertNotNil(unheldAgain, "a lease without a holder lives until it is deleted")
        // And the restored holder is watched again.
        stop(alive)
        try await eventually("the restored lease ends with its holder") { await second.lease(kept.id) == nil }
        // The journal says so too: a third start restores only the lease without a holder.
        let third = keeper(source(clock), clock: clock, opened: false)
        let count = try await third.restore()
        XCTAssertEqual(count, 1)
    }

    // MARK: expiry

    func testALeaseEndsAtItsExpiryAndAnExpiredRecordIsNotRestored() async throws {
        let clock = TestClock()
        let keeper = keeper(source(clock), clock: clock)
        var soon = request()
        soon.expiresAt = clock.now.addingTimeInterval(60)
        var later = request()
        later.expiresAt = clock.now.addingTimeInterval(3600)
        let short = try await keeper.create(soon)
        let long = try await keeper.create(later)
        await keeper.endExpired()
        var count = await keeper.leaseCount
        XCTAssertEqual(count, 2, "nothing ends early")
        clock.advance(by: 61)
        await keeper.endExpired()
        let shortGone = await keeper.lease(short.id)
        XCTAssertNil(shortGone)
        XCTAssertFalse(FileManager.default.fileExists(atPath: short.directory))
        await keeper.stopAccepting()
        clock.advance(by: 3600)
        let restarted = self.keeper(source(clock), clock: clock, opened: false)
        count = try await restarted.restore()
        XCTAssertEqual(count, 0, "a lease whose time ran out while ccgd was down does not come back")
        XCTAssertFalse(FileManager.default.fileExists(atPath: long.directory))
    }

    // MARK: quotas and room

    func testACreatorCannotHoldMoreLeasesThanItsQuota() async throws {
        let clock = TestClock()
        let keeper = keeper(source(clock), clock: clock, limits: LeaseLimits(perCaller: 2, root: nil, callers: [2000: 3]))
        for _ in 0..<2 { _ = try await keeper.create(request(creator: 1000)) }
        do {
            _ = try await keeper.create(request(creator: 1000))
            XCTFail("a third lease was made for a creator whose quota is 2")
        } catch {
            XCTAssertEqual(error.code, .quotaExceeded)
            XCTAssertTrue(error.description.contains("max-leases in [caller \"1000\"]"), error.description)
        }
        for _ in 0..<3 { _ = try await keeper.create(request(creator: 2000)) }
        for _ in 0..<5 { _ = try await keeper.create(request(creator: 0)) }
        // Concurrent creations count before their fetch ends.
        let racer = request(creator: 3000)
        let racing = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 { group.addTask { (try? await keeper.create(racer)) != nil } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        XCTAssertEqual(racing, 2, "six concurrent creations of a creator with quota 2")
        // A deletion frees a place.
        let all = await keeper.allLeases()
        let first = try XCTUnwrap(all.first { $0.creator == 1000 })
        try await keeper.delete(first.id)
        _ = try await keeper.create(request(creator: 1000))
    }

    func testALeaseIsRefusedWhenTheRuntimeDirectoryIsDownToItsReserve() async throws {
        let clock = TestClock()
        let source = source(clock)
        let keeper = keeper(source, clock: clock, limits: LeaseLimits(reserve: StorageReserve(percent: 100, inodes: 0)))
        do {
            _ = try await keeper.create(request())
            XCTFail("a lease was made on a file system at its reserve")
        } catch {
            XCTAssertEqual(error.code, .storageFull)
            XCTAssertTrue(error.description.contains(directory + "/run/leases"), error.description)
        }
        XCTAssertEqual(source.fetches, 0)
    }

    // MARK: reserved plug-ins

    func testAPluginReservedToAFrontEndServesOnlyItsRequests() async throws {
        let clock = TestClock()
        let guid = try XCTUnwrap(spec.hostAccountConfig?.pluginGUID)
        let keeper = keeper(source(clock), clock: clock, reserved: [guid])
        do {
            _ = try await keeper.create(request())
            XCTFail("a request without the reservation used the reserved plug-in")
        } catch {
            XCTAssertEqual(error.code, .forbidden)
        }
        var reserved = request()
        reserved.reservedPlugin = guid
        _ = try await keeper.create(reserved)
    }

    // MARK: failed fetches

    func testAFailedFetchIsAnsweredFromMemoryUntilItsRetryTime() async throws {
        let clock = TestClock()
        let source = source(clock)
        let keeper = keeper(source, clock: clock)
        struct Unreachable: Error {}
        source.failNext = Unreachable()
        for attempt in 0..<40 {
            do { _ = try await keeper.create(request()); XCTFail("served") } catch {
                // The first answer is the failure itself; the others say when it is tried again.
                XCTAssertEqual(error.description.contains("and tries again then"), attempt > 0, "\(error)")
            }
        }
        XCTAssertEqual(source.fetches, 1, "40 requests, one fetch")
        clock.advance(by: 6)
        _ = try await keeper.create(request())
        XCTAssertEqual(source.fetches, 2, "tried again once the hold is over")
    }

    func testARefusedLoginIsHeldLongerAndAReloadForgetsIt() async throws {
        let clock = TestClock()
        let source = source(clock)
        let keeper = keeper(source, clock: clock)
        source.failNext = AccountFetchError.portableUserLogin(
            principal: "user@CONTOSO.TEST",
            KerberosError(kind: .wrongPassword, operation: "get initial credentials", code: -1765328360, libraryMessage: "Preauthentication failed"))
        for _ in 0..<2 { _ = try? await keeper.create(request()) }
        XCTAssertEqual(source.fetches, 1)
        clock.advance(by: 60)
        do { _ = try await keeper.create(request()); XCTFail("served") } catch { XCTAssertEqual(error.code, .authFailed) }
        XCTAssertEqual(source.fetches, 1, "a refused password is not tried again within two minutes (AD's lockout counts each try)")
        await keeper.forgetFailedFetches()
        _ = try await keeper.create(request())
        XCTAssertEqual(source.fetches, 2, "a reload tries at once")
    }

    // MARK: revocation

    func testLeasesOfACredSpecThatIsGoneOrChangedFollowTheDirectory() async throws {
        let clock = TestClock()
        let source = source(clock)
        let keeper = keeper(source, clock: clock)
        let lease = try await keeper.create(request(named: true))
        await keeper.followCredSpecDirectory()
        var current = await keeper.lease(lease.id)
        XCTAssertNotNil(current, "an unchanged CredSpec keeps its leases")
        XCTAssertEqual(source.fetches, 1)

        // Changed: another plug-in input, so another fetch, and the lease takes it.
        try Self.specJSON.replacingOccurrences(of: "\"/x\"", with: "\"/y\"")
            .write(toFile: directory + "/credspecs/WebApp01.json", atomically: true, encoding: .utf8)
        await keeper.followCredSpecDirectory()
        current = await keeper.lease(lease.id)
        XCTAssertEqual(current?.credentialSpec.hostAccountConfig?.pluginInput, .string("/y"))
        XCTAssertEqual(source.fetches, 2)

        try FileManager.default.removeItem(atPath: directory + "/credspecs/WebApp01.json")
        await keeper.followCredSpecDirectory()
        current = await keeper.lease(lease.id)
        XCTAssertNil(current, "a lease of a deleted CredSpec ends")
        XCTAssertFalse(FileManager.default.fileExists(atPath: lease.directory))
    }

    func testARecordOfADeletedCredSpecIsNotRestored() async throws {
        let clock = TestClock()
        let first = keeper(source(clock), clock: clock)
        let lease = try await first.create(request(named: true))
        await first.stopAccepting()
        try FileManager.default.removeItem(atPath: directory + "/credspecs/WebApp01.json")
        let second = keeper(source(clock), clock: clock, opened: false)
        let count = try await second.restore()
        XCTAssertEqual(count, 0, "restored from the journal's copy of a CredSpec the operator deleted")
        XCTAssertFalse(FileManager.default.fileExists(atPath: lease.directory))
    }

    func testLeasesThePolicyNoLongerAllowsEnd() async throws {
        let clock = TestClock()
        let keeper = keeper(source(clock), clock: clock)
        let allowed = try await keeper.create(request(creator: 1000))
        let refused = try await keeper.create(request(creator: 2000))
        let ended = await keeper.endLeases { $0.creator == 2000 ? "uid 2000 is no longer allowed" : nil }
        XCTAssertEqual(ended, 1)
        let kept = await keeper.lease(allowed.id), gone = await keeper.lease(refused.id)
        XCTAssertNotNil(kept)
        XCTAssertNil(gone)
    }

    func testAPodsLeaseKeepsItsPodAcrossARestartAndEndsWhenItsCredSpecNoLongerAllowsTheHook() async throws {
        let clock = TestClock()
        let first = keeper(source(clock), clock: clock)
        var asked = request(named: true)
        asked.kubernetesPod = KubernetesPod(namespace: "webapp", name: "web-1")
        let podLease = try await first.create(asked)
        let plainLease = try await first.create(request(named: true))
        XCTAssertEqual(podLease.kubernetesPod?.description, "webapp/web-1")
        await first.stopAccepting()
        let second = keeper(source(clock), clock: clock, opened: false)
        let restoredCount = try await second.restore()
        XCTAssertEqual(restoredCount, 2)
        let restored = await second.lease(podLease.id)
        XCTAssertEqual(restored?.kubernetesPod, asked.kubernetesPod, "the journal keeps the pod")
        let plainRestored = await second.lease(plainLease.id)
        XCTAssertNil(plainRestored?.kubernetesPod)

        var access = ServiceConfiguration.CredSpecAccess(name: "WebApp01")
        access.ociHookInPods = true
        access.restrictsUse = false
        let allowing = PeerPolicy(allowedUIDs: [0], allowedGIDs: [], credSpecs: [access])
        let keptAll = await second.endLeases { allowing.podRefusal(toKeep: $0) }
        XCTAssertEqual(keptAll, 0)
        let narrowed = PeerPolicy(allowedUIDs: [0], allowedGIDs: [])
        let ended = await second.endLeases { narrowed.podRefusal(toKeep: $0) }
        XCTAssertEqual(ended, 1)
        let gone = await second.lease(podLease.id), kept = await second.lease(plainLease.id)
        XCTAssertNil(gone, "the pod's lease ended")
        XCTAssertNotNil(kept, "the lease of no pod stays")
        XCTAssertFalse(FileManager.default.fileExists(atPath: podLease.directory))
    }
}

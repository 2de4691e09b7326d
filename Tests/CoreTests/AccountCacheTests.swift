import CredSpec
import Foundation
import Logging
import KerberosKeys
import Synchronization
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import DomainModel

/// The account cache on its own: each account's refresh goes its own way.
final class AccountCacheTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("accounts", creating: ["scratch"])
    }

    /// Opens once; those who wait before that wait until then.
    actor Gate {
        private var isOpen = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func open() {
            isOpen = true
            for continuation in waiting { continuation.resume() }
            waiting = []
        }

        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    /// The scripted source, except that once armed, the fetch of the account that hangs waits for
    /// `release`, and any other account's fetch waits until that one has begun (so that a cache
    /// refreshing one account after another cannot pass by luck of order: it stalls, and fails
    /// once the test's safety net lets it go on).
    final class HangingSource: AccountSource {
        let scripted: LeaseKeeperTests.ScriptedSource
        /// The start of the hanging account's name, lower-cased (a refresh asks with the `$` the DC answered).
        let hanging: String
        let armed = Atomic(false)
        let hangBegan = Gate()
        let release = Gate()
        /// 0 before the hanging fetch, 1 while it hangs, 2 after.
        let hang = Atomic(0)
        /// How many fetches of the hanging account have begun to hang.
        let hangingCount = Atomic(0)

        init(_ scripted: LeaseKeeperTests.ScriptedSource, hanging: String) {
            self.scripted = scripted
            self.hanging = hanging
        }

        func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] {
            if armed.load(ordering: .sequentiallyConsistent) {
                if accounts.contains(where: { $0.lowercased().hasPrefix(hanging) }) {
                    hang.store(1, ordering: .sequentiallyConsistent)
                    hangingCount.add(1, ordering: .sequentiallyConsistent)
                    await hangBegan.open()
                    await release.wait()
                    hang.store(2, ordering: .sequentiallyConsistent)
                } else {
                    await hangBegan.wait()
                }
            }
            return try await scripted.fetch(accounts: accounts, of: spec)
        }

        func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials {
            try await scripted.renewTicket(credentials)
        }
    }

    func testComputerAccountReadsAreKeyedByItsPrincipalAndKeytabNeverByAPlugin() throws {
        let portable = try spec(account: "WebApp01")
        let joined = try CredentialSpec(
            jsonData: Data(
                String(decoding: portable.jsonData(), as: UTF8.self)
                    .replacingOccurrences(of: #""HostAccountConfig""#, with: #""Unused""#).utf8))
        XCTAssertTrue(joined.isDomainJoined)
        let host = "WEB01$@CONTOSO.TEST /etc/krb5.keytab"
        let keys = AccountKey.keys(of: joined, machine: host)
        XCTAssertNotEqual(keys, AccountKey.keys(of: joined, machine: "WEB02$@CONTOSO.TEST /etc/krb5.keytab"), "another computer account")
        XCTAssertNotEqual(keys, AccountKey.keys(of: joined, machine: "WEB01$@CONTOSO.TEST /etc/other.keytab"), "another keytab")
        XCTAssertNotEqual(keys, AccountKey.keys(of: portable, machine: nil), "a plug-in's portable user")
        XCTAssertEqual(keys, AccountKey.keys(of: portable, machine: host), "mode = domain-joined reads a plug-in's CredSpec as the host")
    }

    func testComputerAccountPrincipalIsTheShortHostNameAsADNamesIt() {
        XCTAssertEqual(
            MachineAccount.defaultPrincipal(hostName: "web-frontend-server01.contoso.test", realm: "contoso.test"),
            "WEB-FRONTEND-SE$@CONTOSO.TEST")
        XCTAssertEqual(MachineAccount.defaultPrincipal(hostName: "node7", realm: "CONTOSO.TEST"), "NODE7$@CONTOSO.TEST")
        XCTAssertEqual(MachineAccount(keytab: "/k", principal: "X$@R").principal(realm: "CONTOSO.TEST"), "X$@R")
    }

    private func spec(account: String) throws -> CredentialSpec {
        try CredSpecJSON(account: account).credentialSpec()
    }

    func testPrefetchedAccountIsKeptFreshWithoutALeaseAndForgottenOnceReleased() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let source = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil),
                .init(kvno: 2, current: "Password-B", previous: "Password-A"),
            ])
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let spec = try spec(account: "AppA")
        let keys = await cache.prefetch(["AppA": spec])["AppA"] ?? []
        let due = await cache.needsFetch(keys)
        XCTAssertTrue(due)
        _ = try await cache.credentials(for: spec)
        let cached = await cache.needsFetch(keys)
        XCTAssertFalse(cached)
        var statuses = await cache.statuses()
        XCTAssertEqual(statuses.map(\.leases), [0])
        XCTAssertEqual(statuses.map(\.prefetched), [true])

        // No lease holds it, yet its password is read again when due.
        clock.advance(by: 3700)
        await cache.refreshDue(at: clock.now) { _ in }
        statuses = await cache.statuses()
        XCTAssertEqual(statuses.map(\.kvno), [2])
        XCTAssertEqual(source.fetches, 2)

        // Gone from the directory: released, and forgotten when it next falls due.
        await cache.prefetch([:])
        statuses = await cache.statuses()
        XCTAssertEqual(statuses.map(\.prefetched), [false])
        clock.advance(by: 3700)
        await cache.refreshDue(at: clock.now) { _ in }
        statuses = await cache.statuses()
        XCTAssertTrue(statuses.isEmpty)
        XCTAssertEqual(source.fetches, 2)
    }

    private func firstCredentials(_ cache: AccountCache, _ keys: [AccountKey]) async -> AccountCredentials? {
        await cache.cached(keys).credentials?.first
    }

    func testAReadFromADCThatHasNotReplicatedTheRotationKeepsTheNewestKeys() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let source = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil, controller: "dc1.contoso.test"),
                .init(kvno: 2, current: "Password-B", previous: "Password-A", controller: "dc1.contoso.test"),
                .init(kvno: 1, current: "Password-A", previous: nil, controller: "dc2.contoso.test"),
                .init(kvno: 2, current: "Password-B", previous: "Password-A", controller: "dc2.contoso.test"),
            ])
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let spec = try spec(account: "AppA")
        let keys = await cache.prefetch(["AppA": spec])["AppA"] ?? []
        _ = try await cache.credentials(for: spec)
        clock.advance(by: 3700)
        await cache.refreshDue(at: clock.now) { _ in }
        let afterRotation = await firstCredentials(cache, keys)
        let rotated = try XCTUnwrap(afterRotation)
        XCTAssertEqual(rotated.account.keyVersionNumber, 2)

        // DC2 still has kvno 1: the leases keep kvno 2 (and kvno 1, the previous keys), with the new ticket.
        clock.advance(by: 3700)
        let changes = Mutex(0)
        await cache.refreshDue(at: clock.now) { _ in changes.withLock { $0 += 1 } }
        let afterLaggingRead = await firstCredentials(cache, keys)
        let kept = try XCTUnwrap(afterLaggingRead)
        XCTAssertEqual(source.fetches, 3)
        XCTAssertEqual(kept.account.keyVersionNumber, 2, "never back to an older kvno")
        XCTAssertEqual(kept.keytab, rotated.keytab, "the same keys, kvno 2 and 1")
        XCTAssertEqual(Set(kept.account.keytabEntries().map(\.keyVersionNumber)), [1, 2])
        XCTAssertEqual(kept.ticketCache, SecretBytes(Array("ticket-3".utf8)))
        XCTAssertEqual(changes.withLock { $0 }, 1)
        // Read again when the newest password may change (it may now: in a minute), not when DC2 expects its own rotation.
        let due = await cache.cached(keys).dueAt
        XCTAssertLessThanOrEqual(try XCTUnwrap(due), clock.now.addingTimeInterval(60))

        // DC2 caught up: its read is taken as it is.
        clock.advance(by: 3700)
        await cache.refreshDue(at: clock.now) { _ in }
        let afterAgreement = await firstCredentials(cache, keys)
        let agreed = try XCTUnwrap(afterAgreement)
        XCTAssertEqual(agreed.account.keyVersionNumber, 2)
        XCTAssertEqual(agreed.account.readFrom, "dc2.contoso.test")
    }

    func testFailedPrefetchIsKeptForTheSchedulerAndAReleasedUnfetchedOneIsDropped() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let source = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil)
            ])
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let spec = try spec(account: "AppA")
        let keys = await cache.prefetch(["AppA": spec])["AppA"] ?? []
        source.failNext = AccountFetchError.controllersUnreachable(realm: "CONTOSO.TEST", [])
        do {
            _ = try await cache.credentials(for: spec)
            XCTFail("the scripted failure was not thrown")
        } catch {
            await cache.failed(spec, error)
        }
        let state = await cache.state(of: keys)
        XCTAssertEqual(state.state, .failed)
        XCTAssertNotNil(state.lastError)
        let retryPlanned = await cache.needsFetch(keys)
        XCTAssertFalse(retryPlanned, "a failed prefetch is the scheduler's, with backoff")
        // The retry falls due and succeeds without any lease.
        clock.advance(by: 60)
        await cache.refreshDue(at: clock.now) { _ in }
        let retried = await cache.state(of: keys)
        XCTAssertEqual(retried.state, .fresh)

        // Prefetched but never fetched, then released: nothing would ever forget it, so it goes at once.
        let other = try self.spec(account: "AppB")
        await cache.prefetch(["AppA": spec, "AppB": other])
        await cache.prefetch(["AppA": spec])
        let names = await cache.statuses().map(\.account)
        XCTAssertEqual(names, ["AppA$"])
    }

    /// A lease someone waits for is fetched at once while the domain backs off; the prefetch
    /// that was waiting for the pause then finds the account cached and asks nobody.
    func testAnOnDemandFetchIsNotHeldBehindABackingOffDomainAndABackgroundOneThenFindsItCached() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let source = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil)
            ])
        var settings = FetchPacing.Settings(backgroundPerDomain: 2)
        settings.backoff = DomainBackoff(first: .seconds(1), maximum: .seconds(1))
        let pacing = FetchPacing(settings: settings)
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), pacing: pacing, now: { clock.now })
        let spec = try spec(account: "AppA")
        // The DC said it is busy a moment ago.
        await pacing.admit(.onDemand, realm: spec.realm)
        await pacing.finished(realm: spec.realm, duration: .milliseconds(10), strained: true)
        let background = Task { try await cache.credentials(for: spec, priority: .background) }
        for _ in 0..<100 where await pacing.waiting(realm: spec.realm) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(source.fetches, 0, "the background fetch waits out the pause")
        let started = ContinuousClock.now
        _ = try await cache.credentials(for: spec)
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(500), "the on-demand fetch did not wait for the pause")
        XCTAssertEqual(source.fetches, 1)
        _ = try await background.value
        XCTAssertEqual(source.fetches, 1, "after the pause the account was cached: no second fetch")
    }

    func testAnAccountIsShownAsItsCredSpecSpellsItWithItsCredSpecAndReaderBeforeAnyFetch() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let source = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil)
            ])
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let spec = try spec(account: "WebApp07")
        await cache.prefetch(["Seven": spec])
        source.failNext = AccountFetchError.controllersUnreachable(realm: "CONTOSO.TEST", [])
        do { _ = try await cache.credentials(for: spec) } catch { await cache.failed(spec, error) }
        let statuses = await cache.statuses()
        let status = try XCTUnwrap(statuses.first)
        // The cache keys by the lower-cased name; people read the CredSpec's spelling, with its $.
        XCTAssertEqual(status.account, "WebApp07$")
        XCTAssertEqual(status.credSpecs, ["Seven"])
        XCTAssertEqual(status.readBy, .plugin(guid: try XCTUnwrap(spec.hostAccountConfig?.pluginGUID.description), name: nil))
        XCTAssertEqual(status.state, .failed)
    }

    func testAnAccountWhoseDirectoryHangsDoesNotDelayAnotherAccountsRefresh() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let scripted = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil)
            ])
        let source = HangingSource(scripted, hanging: "appa")
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let (specA, specB) = (try spec(account: "AppA"), try spec(account: "AppB"))
        for spec in [specA, specB] {
            _ = try await cache.credentials(for: spec)
            _ = await cache.hold(cache.keys(of: spec), for: LeaseID())
        }
        // A safety net only: a cache that refreshes one account after another would otherwise never return.
        let safety = Task {
            try await Task.sleep(for: .seconds(30))
            await source.hangBegan.open()
            await source.release.open()
        }
        defer { safety.cancel() }

        // Both passwords are due; AppA's directory hangs until released.
        clock.advance(by: 3700)
        source.armed.store(true, ordering: .sequentiallyConsistent)
        let changedWhileAHung = Mutex<[String: Bool]>([:])
        await cache.refreshDue(at: clock.now) { key in
            let hung = source.hang.load(ordering: .sequentiallyConsistent) == 1
            changedWhileAHung.withLock { $0[key.name] = hung }
            // AppB's refresh is done (its leases would be rewritten now): AppA's may go on.
            if key.name == "appb$" { await source.release.open() }
        }
        XCTAssertEqual(
            changedWhileAHung.withLock { $0 }, ["appb$": true, "appa$": false],
            "AppB's refresh waited for AppA's hung directory")
        let statuses = await cache.statuses()
        XCTAssertEqual(statuses.map(\.state), [.fresh, .fresh])
    }

    /// The ECS agent's renewal: a refresh already on its way (with the old password) does not
    /// count; the forced read waits for it, then reads again, and only the renewed input's accounts.
    func testAForcedReadWaitsForARefreshOnItsWayAndReadsOnlyThatInputsAccounts() async throws {
        let clock = LeaseKeeperTests.TestClock()
        let scripted = LeaseKeeperTests.ScriptedSource(
            clock: clock, scratch: directory + "/scratch",
            steps: [
                .init(kvno: 1, current: "Password-A", previous: nil)
            ])
        let source = HangingSource(scripted, hanging: "appa")
        let cache = AccountCache(source: source, timings: .init(), logger: Logger(label: "test"), now: { clock.now })
        let renewed = try spec(account: "AppA")
        let other = try renewed.replacingPluginInput(.string("/y"))
        for spec in [renewed, other] {
            _ = try await cache.credentials(for: spec)
            _ = await cache.hold(cache.keys(of: spec), for: LeaseID())
        }
        let safety = Task {
            try await Task.sleep(for: .seconds(30))
            await source.hangBegan.open()
            await source.release.open()
        }
        defer { safety.cancel() }
        func fetches() -> Int { scripted.lock.withLock { scripted.fetches } }
        XCTAssertEqual(fetches(), 2)

        // Both accounts' passwords are due; their reads hang until released.
        clock.advance(by: 3700)
        source.armed.store(true, ordering: .sequentiallyConsistent)
        let scheduled = await cache.startRefreshes(at: clock.now) { _ in }
        await source.hangBegan.wait()
        // Both scheduled reads hang before the hang is disarmed: one that began later would not hang and end at once.
        for _ in 0..<3000 where source.hangingCount.load(ordering: .sequentiallyConsistent) < scheduled.count {
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(source.hangingCount.load(ordering: .sequentiallyConsistent), 2, "both scheduled reads hang")
        // From now on a read does not hang: one that did not wait for the refresh on its way would be done at once.
        source.armed.store(false, ordering: .sequentiallyConsistent)
        let forced = Task {
            await cache.refreshNow(fetchedThrough: AccountAuthority(plugin: renewed.hostAccountConfig!)) { _ in }
        }
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(fetches(), 2, "the forced read did not wait for the refresh on its way")
        await source.release.open()
        for refresh in scheduled { await refresh.value }
        let (keys, failure) = await forced.value
        XCTAssertNil(failure)
        let expected = await cache.keys(of: renewed)
        XCTAssertEqual(keys, expected)
        XCTAssertEqual(fetches(), 5, "two scheduled reads, then one forced read of the renewed input's account only")
    }
}

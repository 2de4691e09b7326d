import Foundation
import Kerberos
import NIOHTTP1
import SocketAPI
import XCTest

/// AD rotates a gMSA's password and ccgd follows on its own: a private DC (see ClockedTestDomain)
/// and the daemon share a clock the test moves past a 1-day gMSA's rollover period (20 h), twice,
/// without restarting either, while a client keeps creating leases. Before that, the same clock
/// moved to 90% of a ticket's life shows each lease's ccache replaced in time, atomically.
///
/// The test body is synchronous on purpose: it blocks (Process, semaphores, sleeps) only on
/// XCTest's main thread, never on the two threads of Swift's cooperative pool, which the
/// lease-creating client and every API call need (see `wait`).
final class RotationIntegrationTests: XCTestCase {
    private var clocked: ClockedTestDomain?
    private var daemon: DaemonProcess?
    private var client: LeaseClient?
    private var account = ""
    private var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "/ccgd-rotation-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    override func tearDown() {
        client?.stop()
        daemon?.remove()
        // Back to the real time, the throwaway gMSA gone (a rotation under a future clock spoils it), the DC stopped.
        clocked?.stop(removing: account.isEmpty ? [] : [account])
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func testRotationAndTicketRenewalFollowTheDomainClock() throws {
        // The clocked domain alone: the shared one need not run (ClockedTestDomain skips without libfaketime).
        let clocked = try ClockedTestDomain()
        self.clocked = clocked
        let domain = clocked.domain
        account = "Rot" + UUID().uuidString.prefix(8).lowercased().replacingOccurrences(of: "-", with: "")
        try ClockedTestDomain.testdomain(["add-gmsa", account, "1"])
        let sam = account + "$", spn = "host/\(account.lowercased()).\(domain.dnsDomain)"
        let principal = "\(sam)@\(domain.realm)"

        // The daemon shares the DC's clock through the control file, from its start on.
        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """

                [refresh]
                ticket-lifetime = 10m
                retry = 5s
                """, controllerAddress: ClockedTestDomain.address, logLevel: "trace")
        self.daemon = daemon
        daemon.wrapper = ["/usr/bin/env"] + clocked.clockEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        try daemon.start()
        let body = #"{"credentialSpecName": "\#(account)", "owner": {"uid": 1000, "gid": 1000}}"#
        let api = daemon.client
        let leases = try (0..<2).map { _ in
            let (status, object, text) = try blockingWait { try await parsedRequest(api, .POST, "/v1/leases", body) }
            XCTAssertEqual(status, 201, text)
            return try XCTUnwrap(object["directory"] as? String, text)
        }

        // kvno N: in every lease, as the DC has it.
        let n = try XCTUnwrap(try DomainControllerKeys(account: sam, domain: domain).keys.map(\.kvno).max())
        for lease in leases { XCTAssertEqual(try keytabKVNOs(lease + "/krb5.keytab", principal, domain), [n], lease) }
        // The DC held the password it sent: its kvno came in the same answer, one round trip.
        XCTAssertEqual(try keyVersionReads(daemon, "same_answer"), 1)
        XCTAssertEqual(try keyVersionReads(daemon, "after_password"), 0)
        var secrets = try SecretScan.managedPasswordSecrets(sam, domain) + SecretScan.keySecrets(sam, domain)

        // A service ticket issued now, encrypted with the kvno N key, kept for after the rotation.
        let saved = scratch + "/saved.cc"
        try FileManager.default.copyItem(atPath: leases[0] + "/krb5cc", toPath: saved)
        try domain.run(["kvno", "-c", saved, spn])
        let context = try KerberosContext(configurationFile: domain.krb5Config)
        let before = try context.storedServiceTicket(
            for: Principal(parsing: "\(spn)@\(domain.realm)", context: context),
            in: CredentialsCache.file(at: saved, context: context))
        XCTAssertEqual(before.keyVersionNumber, n)

        let client = LeaseClient(api: api, body: body)
        self.client = client
        client.start()

        // Renewal without rotation: at 90% of the 10-minute ticket's life each lease's ccache is
        // replaced (a new file: the inode changes) while a reader never sees a partial one.
        let caches = leases.map { $0 + "/krb5cc" }
        let oldInodes = try caches.map(inode)
        let watcher = CacheWatcher(paths: caches)
        watcher.start()
        try clocked.move(to: "+9m")
        let renewal = try eventually("every lease's ccache replaced") { zip(try caches.map(inode), oldInodes).allSatisfy { $0 != $1 } }
        watcher.stop()
        for (index, cache) in caches.enumerated() {
            let seen = watcher.contents(index)
            XCTAssertGreaterThanOrEqual(seen.count, 2, "the reader saw the old and the new ccache")
            for content in seen {
                let copy = scratch + "/seen.cc"
                try content.write(to: URL(fileURLWithPath: copy))
                let listing = try domain.run(["klist", "-c", copy])
                XCTAssertTrue(listing.contains("krbtgt/\(domain.realm)@\(domain.realm)"), "a whole ccache: \(listing)")
            }
            // The new TGT is valid at the moved clock (the old one had a minute left).
            try domain.run(["klist", "-s", "-c", cache], environment: clocked.commandClock)
        }

        // First rotation: past the 20-hour rollover period. Noticed on the daemon's own schedule,
        // and the daemon's read is the DC's first since the rollover (the test reads the DC's keys
        // only afterwards: that read would store the new password itself): the DC sends the new
        // password while it still holds the old one and its kvno.
        try clocked.move(to: "+21h")
        let firstNotice = try eventually("every lease holds kvno \(n) and a newer one") {
            try leases.allSatisfy {
                let held = try keytabKVNOs($0 + "/krb5.keytab", principal, domain); return held.count == 2 && held.contains(n)
            }
        }
        let n1 = try XCTUnwrap(try DomainControllerKeys(account: sam, domain: domain, environment: clocked.commandClock).keys.map(\.kvno).max())
        XCTAssertGreaterThan(n1, n, "the DC rotated the password at +21h")
        for lease in leases {
            XCTAssertEqual(try keytabKVNOs(lease + "/krb5.keytab", principal, domain), [n, n1], "the new password at the DC's new kvno: \(lease)")
        }
        secrets +=
            try SecretScan.managedPasswordSecrets(sam, domain, environment: clocked.commandClock)
            + SecretScan.keySecrets(sam, domain, environment: clocked.commandClock)
        let createdBeforeSecond = client.created
        XCTAssertGreaterThan(createdBeforeSecond, 0)
        for lease in leases {
            // The new keys log in; the ticket issued before the rotation still decrypts.
            try domain.run(["kinit", "-k", "-t", lease + "/krb5.keytab", "-c", scratch + "/kinit.cc", principal], environment: clocked.commandClock)
            try domain.run(["kvno", "-k", lease + "/krb5.keytab", "-c", scratch + "/kinit.cc", spn], environment: clocked.commandClock)
            XCTAssertEqual(try context.decrypt(before, with: Keytab(path: lease + "/krb5.keytab", context: context)), principalOfCache(saved, context))
        }
        XCTAssertEqual(try accountKVNO(daemon, account), n1)
        // The first read past the rollover got the new password while the DC still held (and
        // counted) the old one: its kvno came from a second search, after the password.
        XCTAssertGreaterThanOrEqual(try keyVersionReads(daemon, "after_password"), 1)

        // Second rotation: kvno N goes, N+1 stays as the previous key.
        try clocked.move(to: "+42h")
        let n2 = try XCTUnwrap(try DomainControllerKeys(account: sam, domain: domain, environment: clocked.commandClock).keys.map(\.kvno).max())
        XCTAssertGreaterThan(n2, n1)
        let secondNotice = try eventually("every lease holds kvno \(n2) and \(n1) only") {
            try leases.allSatisfy { try keytabKVNOs($0 + "/krb5.keytab", principal, domain) == [n1, n2] }
        }
        secrets +=
            try SecretScan.managedPasswordSecrets(sam, domain, environment: clocked.commandClock)
            + SecretScan.keySecrets(sam, domain, environment: clocked.commandClock)
        XCTAssertEqual(try accountKVNO(daemon, account), n2)
        try domain.run(["kinit", "-k", "-t", leases[1] + "/krb5.keytab", "-c", scratch + "/kinit.cc", principal], environment: clocked.commandClock)

        // No lease request failed, before, during or after the rotations.
        try eventually("a lease created after the second rotation") { client.created > createdBeforeSecond + 2 }
        client.stop()
        XCTAssertEqual(client.failures, [], "lease requests failed during the rotations")
        print(
            "rotation: kvno \(n) → \(n1) → \(n2); renewal seen after \(renewal) s, first rotation after \(firstNotice) s, second after \(secondNotice) s; \(client.created) leases created meanwhile"
        )

        // Neither password nor any key of any kvno reached the log or the state directory.
        daemon.stop()
        var artifacts: [(String, Data)] = [("the daemon's log", Data(daemon.logText.utf8))]
        for name in try FileManager.default.contentsOfDirectory(atPath: daemon.state) {
            artifacts.append(("state file \(name)", try Data(contentsOf: URL(fileURLWithPath: daemon.state + "/" + name))))
        }
        XCTAssertGreaterThanOrEqual(Set(secrets.map(\.name)).count, 9 + 2, "passwords of three kvnos and their keys")
        XCTAssertEqual(SecretScan.findings(secrets, in: artifacts), [], "secrets leaked")
        XCTAssertTrue(daemon.logText.contains(" trace ") || daemon.logText.contains(" debug "), "the most verbose level")
    }

    // MARK: helpers

    @discardableResult
    private func eventually(_ what: String, _ condition: () throws -> Bool) throws -> Int {
        try pollUntil(what, daemon: daemon, condition)
    }

    private func inode(_ path: String) throws -> UInt64 {
        var info = stat()
        guard stat(path, &info) == 0 else { throw DaemonProcess.Failure("cannot stat \(path)") }
        return UInt64(info.st_ino)
    }

    private func principalOfCache(_ path: String, _ context: KerberosContext) -> String? {
        (try? CredentialsCache.file(at: path, context: context))?.principalName
    }

    /// How many kvnos the daemon read by `search` (`ccgd_key_version_reads_total`).
    private func keyVersionReads(_ daemon: DaemonProcess, _ search: String) throws -> Int {
        let api = daemon.client
        let text = try blockingWait { try await parsedRequest(api, .GET, "/metrics").text }
        let series = #"ccgd_key_version_reads_total{search="\#(search)"} "#
        return text.split(separator: "\n").first { $0.hasPrefix(series) }.flatMap { Double($0.dropFirst(series.count)) }.map { Int($0) } ?? 0
    }

}

/// A runtime that keeps creating (and deleting) leases of the account, recording every failure.
private final class LeaseClient: @unchecked Sendable {
    private let api: APIClient
    private let body: String
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var _created = 0
    private var _failures: [String] = []

    init(api: APIClient, body: String) {
        self.api = api
        self.body = body
    }

    var created: Int { lock.withLock { _created } }
    var failures: [String] { lock.withLock { _failures } }

    func start() {
        let api = api, body = body
        task = Task { [self] in
            while !Task.isCancelled {
                do {
                    let (status, object, text) = try await parsedRequest(api, .POST, "/v1/leases", body)
                    if status == 201, let id = object["id"] as? String {
                        lock.withLock { _created += 1 }
                        _ = try await parsedRequest(api, .DELETE, "/v1/leases/\(id)")
                    } else {
                        lock.withLock { _failures.append("POST /v1/leases → \(status): \(text)") }
                    }
                } catch {
                    lock.withLock { _failures.append("\(error)") }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func stop() {
        task?.cancel()
        task = nil
    }
}

/// Reads files over and over on a thread of its own and keeps every distinct content seen.
private final class CacheWatcher: @unchecked Sendable {
    private let paths: [String]
    private let lock = NSLock()
    private var seen: [Set<Data>]
    private var running = true
    private var thread: Thread?

    init(paths: [String]) {
        self.paths = paths
        seen = paths.map { _ in [] }
    }

    func start() {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                for (index, path) in paths.enumerated() {
                    if let data = FileManager.default.contents(atPath: path) { lock.withLock { _ = seen[index].insert(data) } }
                }
                usleep(1000)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() { lock.withLock { running = false } }

    func contents(_ index: Int) -> Set<Data> { lock.withLock { seen[index] } }
}

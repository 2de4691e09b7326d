import CCGPlugin
import Directory
import FoundationEssentials
import Glibc
import KerberosKeys
import Synchronization
import Observability
import SystemSupport

/// The daemon's warm directory sessions: one per domain and reader (a portable user, or the
/// host's computer account), its TGT in memory and its sealed LDAP connection (or LDAPS) open,
/// so that a new gMSA in a known domain costs one search, its keys and its own AS exchange.
///
/// The schedule: the plug-in is still asked on every fetch (it is the source of truth); the
/// session is reused only while the plug-in's answer stays the same (compared by a keyed
/// fingerprint, never by a kept password) and the TGT has more than `ticketMargin` left. It is
/// dropped when the answer changes, when a read with it fails for a reason a new login may
/// cure (authentication, authorization, a connection that cannot be re-opened) — the read is
/// then tried once more with a new session —, and on reload. A broken connection is re-opened
/// once, with the same tickets, before the read is given up. One read at a time uses a session.
package final class DirectorySessions: Sendable {
    /// Which session serves a read: the domain and who reads it.
    struct Key: Hashable, Sendable {
        let realm: String
        let dnsDomain: String
        /// `user <domain>\<name>` for a portable user, `machine <principal> <keytab>` for the host.
        let reader: String
    }

    private final class Entry: Sendable {
        /// The lock is the one-search-at-a-time rule for the session's connection.
        let session: Mutex<DirectorySession>
        /// The keyed fingerprint of the plug-in's answer the session logged in with.
        let answer: [UInt8]
        /// When the reader's TGT ends (nil for LDAPS: a simple bind has no ticket).
        let ticketEnd: Date?

        init(_ session: sending DirectorySession, answer: [UInt8]) {
            ticketEnd = session.ticketEnd
            self.session = Mutex(session)
            self.answer = answer
        }
    }

    /// A session is not reused when its TGT ends sooner than this (its binds and searches need it).
    static let ticketMargin: TimeInterval = 300

    private let entries = Mutex<[Key: Entry]>([:])
    private let fingerprint = KeyedFingerprint()
    private let counts = Mutex<Statistics>(Statistics())
    private let clock: @Sendable () -> Date
    /// Where a DC that stops answering a warm session is recorded (so that the reconnection and
    /// every later request ask it last), and which DC a warm session belongs on.
    private let health: ControllerHealth?

    package init(clock: @escaping @Sendable () -> Date = { Date() }, health: ControllerHealth? = nil) {
        self.clock = clock
        self.health = health
    }

    /// What the sessions did since the start (also `ccgd_directory_sessions_total`).
    package struct Statistics: Sendable, Equatable {
        /// Sessions logged in and bound.
        package var new = 0
        /// Reads served by a warm session.
        package var reused = 0
        /// Broken connections re-opened with a session's tickets.
        package var reconnected = 0
    }

    package var statistics: Statistics { counts.withLock { $0 } }

    /// Forgets every session (reload: domains or plug-ins may have changed).
    package func dropAll() {
        let dropped = entries.withLock { entries in
            let all = Array(entries.values)
            entries.removeAll()
            return all
        }
        // Closing a session unbinds and destroys its tickets: libldap and libkrb5 calls, off the caller's thread.
        guard !dropped.isEmpty else { return }
        BlockingWork(label: "ccgd.directory.close").start { withExtendedLifetime(dropped) {} }
    }

    /// Forgets the sessions of a portable user in every realm, so that its next read logs in
    /// with whatever password the plug-in then answers: a renewal must be checked by the KDC,
    /// not served by a TGT the old password obtained.
    package func drop(portableUser username: String, domain: String) {
        let reader = "user \(domain)\\\(username)".lowercased()
        let dropped = entries.withLock { entries in
            let matching = entries.filter { $0.key.reader.lowercased() == reader }
            for key in matching.keys { entries[key] = nil }
            return Array(matching.values)
        }
        guard !dropped.isEmpty else { return }
        BlockingWork(label: "ccgd.directory.close").start { withExtendedLifetime(dropped) {} }
    }

    /// The session key and answer fingerprint of `login` in a domain. Nil fingerprint: the
    /// answer could not be fingerprinted, so no session is kept for it.
    func identify(_ login: DomainLogin, realm: String, dnsDomain: String) -> (key: Key, answer: [UInt8]?) {
        switch login {
        case let .portableUser(credential):
            let key = Key(
                realm: realm.uppercased(), dnsDomain: dnsDomain.lowercased(),
                reader: "user \(credential.domainName)\\\(credential.username)")
            return (key, try? fingerprint.of(Self.canonical(credential)))
        case let .machine(principal, keytab):
            return (Key(realm: realm.uppercased(), dnsDomain: dnsDomain.lowercased(), reader: "machine \(principal) \(keytab)"), [])
        }
    }

    /// The answer as length-prefixed fields, in wiped storage (the password is among them).
    static func canonical(_ credential: DomainCredential) -> SecretBytes {
        let fields: [[UInt8]] = [Array(credential.domainName.utf8), Array(credential.username.utf8)]
        let password = credential.password.secret
        let count = fields.reduce(0) { $0 + 8 + $1.count } + 8 + password.count
        return SecretBytes(count: count) { buffer in
            var offset = 0
            func put(_ bytes: UnsafeRawBufferPointer) {
                withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { length in
                    UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + 8]).copyMemory(from: length)
                }
                offset += 8
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + bytes.count]).copyMemory(from: bytes)
                offset += bytes.count
            }
            for field in fields { field.withUnsafeBytes(put) }
            password.withUnsafeBytes(put)
        }
    }

    /// Runs `read` with the warm session of `login`, or with a new one (`open`) kept for the next.
    func read<T: Sendable>(
        _ login: DomainLogin, realm: String, dnsDomain: String,
        open: () throws(AccountFetchError) -> DirectorySession,
        _ read: (DirectorySession) throws(AccountFetchError) -> T
    ) throws(AccountFetchError) -> T {
        let (key, answer) = identify(login, realm: realm, dnsDomain: dnsDomain)
        guard let answer else {
            return try read(try open())
        }
        if let warm = entries.withLock({ $0[key] }) {
            if warm.answer == answer, !nearsEnd(warm), !misplaced(warm, realm: key.realm) {
                count(reused: true)
                do { return try use(warm, realm: key.realm, read) } catch {
                    drop(key, warm)
                    guard Self.endsSession(error) else { throw error }
                    // A new login may cure it (new group memberships, a DC back): one more try.
                }
            } else {
                drop(key, warm)
            }
        }
        let session = try open()
        let entry = Entry(session, answer: answer)
        count(reused: false)
        entries.withLock { $0[key] = entry }
        do { return try use(entry, realm: key.realm, read) } catch {
            if Self.endsSession(error) { drop(key, entry) }
            throw error
        }
    }

    /// Whether a warm session sits on another DC than the one it belongs on: the first of its
    /// domain's DCs, in their own order, that has not failed. After a DC's return (a probe saw it
    /// answer) the next read logs in anew there; while its DC and every DC before it have
    /// failed, the session stays where it is.
    private func misplaced(_ entry: Entry, realm: String) -> Bool {
        guard let health else { return false }
        let (current, controllers) = entry.session.withLock { ($0.controller, $0.controllers) }
        guard let preferred = health.preferred(realm: realm, controllers) else { return false }
        return preferred.hostName != current.hostName
    }

    private func nearsEnd(_ entry: Entry) -> Bool {
        guard let end = entry.ticketEnd else { return false }
        return end.timeIntervalSince(clock()) < Self.ticketMargin
    }

    private func drop(_ key: Key, _ entry: Entry) {
        entries.withLock { entries in
            if let current = entries[key], current === entry { entries[key] = nil }
        }
    }

    private func count(reused: Bool) {
        counts.withLock { reused ? ($0.reused += 1) : ($0.new += 1) }
        Metrics.shared.increment("ccgd_directory_sessions_total", ["result": reused ? "reused" : "new"])
    }

    /// One read at a time per session; a connection found broken is re-opened once with the same tickets.
    private func use<T: Sendable>(
        _ entry: Entry, realm: String, _ read: (DirectorySession) throws(AccountFetchError) -> T
    ) throws(AccountFetchError) -> T {
        let health = self.health
        let outcome: Result<T, AccountFetchError> = entry.session.withLock { session in
            do throws(AccountFetchError) { return .success(try read(session)) } catch {
                guard case let .directory(.unreachable(_, reason)) = error else { return .failure(error) }
                // The DC stopped answering: recorded first, so that the reconnection asks it last.
                health?.record(realm: realm, host: session.controller.hostName, reachable: false, cause: reason)
                do throws(AccountFetchError) {
                    try session.reconnect(after: reason)
                    counts.withLock { $0.reconnected += 1 }
                    return .success(try read(session))
                } catch {
                    return .failure(error)
                }
            }
        }
        return try outcome.get()
    }

    /// Whether a failed read says the session itself is spent: anything but an answer about the accounts.
    static func endsSession(_ error: AccountFetchError) -> Bool {
        switch error {
        case .directory(.accountNotFound), .directory(.malformedAnswer), .accountNameMismatch, .malformedPassword,
            .keyDerivation, .managedAccountLogin, .output:
            false
        default:
            true
        }
    }

    /// Shuts every session's connection down under it, as a DC closing it would (tests of reconnection).
    func shutDownConnections() {
        let all = entries.withLock { Array($0.values) }
        for entry in all { entry.session.withLock { $0.connection.shutDownTransport() } }
    }
}

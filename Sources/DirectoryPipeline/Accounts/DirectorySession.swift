import CCGPlugin
import FoundationEssentials
import Glibc
import Directory
import Kerberos
import KerberosKeys
import DomainModel

/// A user's authenticated connection to one DC of a domain, for reading what the directory says
/// about the domain: a sealed GSSAPI bind (the user's TGT only in memory) or LDAPS and a simple
/// bind, trying the DCs in order and moving on only past the unreachable ones.
/// Blocking: open it off the Swift concurrency pool.
package final class DirectorySession {
    package private(set) var connection: DirectoryConnection
    /// The principal the bind authenticated.
    package let user: String
    /// DCs tried before the one that answered.
    package var unreachableControllers: [DomainController] { unreachable.map(\.controller) }
    /// Those DCs and why each failed (`DirectoryError`'s words), for the health record.
    package private(set) var unreachable: [(controller: DomainController, cause: String)]
    /// The order to try the DCs in at each connection (ccgd's: a failed DC last); identity by default.
    private let ordering: @Sendable ([DomainController]) -> [DomainController]
    /// The user's tickets, kept as long as the connection is used (nil for LDAPS).
    private let tickets: CredentialsCache?
    /// When the user's TGT ends; nil for LDAPS (a simple bind has no ticket).
    package let ticketEnd: Date?
    private let settings: DomainSettings
    private let realm: String
    /// Binds to one DC as the user, again on a reconnection.
    private let bindOne: (DomainController) throws(DirectoryError) -> DirectoryConnection

    /// `netBiosName` nil when still unknown (making a CredSpec): the first DNS label is the guess.
    package convenience init(
        settings: DomainSettings, realm: String, dnsDomain: String, netBiosName: String? = nil,
        credential: DomainCredential
    ) throws(AccountFetchError) {
        try self.init(settings: settings, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName, login: .portableUser(credential))
    }

    /// A session as the portable user, or as the host's computer account (its keytab read into
    /// memory; its TGT lives as long as the session, so each session logs in anew).
    package init(
        settings: DomainSettings, realm: String, dnsDomain: String, netBiosName: String? = nil,
        login: DomainLogin, ordering: @escaping @Sendable ([DomainController]) -> [DomainController] = { $0 }
    ) throws(AccountFetchError) {
        guard !settings.controllers.isEmpty else { throw .noDomainControllers(realm: realm) }
        let bindOne: (DomainController) throws(DirectoryError) -> DirectoryConnection
        let principal: String
        var tickets: CredentialsCache?
        var ticketEnd: Date?
        switch login {
        case let .portableUser(credential):
            let netBios = netBiosName ?? dnsDomain.split(separator: ".").first.map(String.init)
            let user = PortableUser(credential, realm: realm, dnsDomain: dnsDomain, netBiosName: netBios)
            let password = credential.password.withUTF8 { SecretBytes(copying: $0) }
            if settings.protection == .sealedGSSAPI {
                do {
                    let login = try Self.logIn(user, password: password)
                    tickets = login.cache
                    ticketEnd = login.times.endTime
                } catch {
                    throw Self.unanswered(error, principal: user.principal, settings: settings, realm: realm)
                        ?? .portableUserLogin(principal: user.principal, error)
                }
            }
            let cache = tickets
            // A sealed bind needs only the tickets: the password stays only for an LDAPS simple bind.
            let kept = cache == nil ? password : nil
            bindOne = { controller throws(DirectoryError) in
                try Self.bind(to: controller, settings: settings, user: user, password: kept ?? SecretBytes([]), tickets: cache).connection
            }
            principal = user.principal
        case let .machine(machine, keytab):
            // A keytab gives no password for a simple bind: the computer binds with GSSAPI, sealed.
            guard settings.protection == .sealedGSSAPI else { throw .machineAccountNeedsSealedBind(realm: realm) }
            let login: Login
            do { login = try Self.logIn(machine: machine, keytab: keytab) } catch {
                throw Self.unanswered(error, principal: machine, settings: settings, realm: realm)
                    ?? .machineAccountLogin(principal: machine, keytab: keytab, error)
            }
            let cache = login.cache
            tickets = cache
            ticketEnd = login.times.endTime
            bindOne = { controller throws(DirectoryError) in
                let connection = try DirectoryConnection(to: controller, transport: .plain, timeout: settings.timeout)
                _ = try connection.bindGSSAPI(credentials: cache)
                return connection
            }
            principal = machine
        }
        let (connection, unreachable) = try Self.connect(ordering(settings.controllers), realm: realm, bindOne)
        self.connection = connection
        self.unreachable = unreachable
        self.ordering = ordering
        self.user = principal
        self.tickets = tickets
        self.ticketEnd = ticketEnd
        self.settings = settings
        self.realm = realm
        self.bindOne = bindOne
    }

    /// The first of `controllers`, in order, that binds; moves on only past the unreachable ones.
    private static func connect(
        _ controllers: [DomainController], realm: String, _ bindOne: (DomainController) throws(DirectoryError) -> DirectoryConnection
    ) throws(AccountFetchError) -> (DirectoryConnection, [(controller: DomainController, cause: String)]) {
        var unreachable: [(controller: DomainController, cause: String)] = []
        var failures: [DirectoryError] = []
        for controller in controllers {
            do {
                return (try bindOne(controller), unreachable)
            } catch {
                switch error {
                case let .unreachable(_, reason), let .tlsFailed(_, reason):
                    failures.append(error)
                    unreachable.append((controller, reason))
                default: throw .directory(error)
                }
            }
        }
        throw .controllersUnreachable(realm: realm, failures)
    }

    /// A login no KDC answered, as the cause at each DC (its Kerberos port tried): a name that
    /// does not resolve, a refused connection, silence. Nil when every DC answers there (then
    /// libkrb5's own error is all there is to say).
    static func unanswered(_ error: KerberosError, principal: String, settings: DomainSettings, realm: String) -> AccountFetchError? {
        guard error.kind == .kdcUnreachable || error.kind == .realmUnknown, !settings.controllers.isEmpty else { return nil }
        let (_, failures) = ControllerProbe.probe(settings.controllers, timeout: settings.timeout) { _ in ControllerProbe.kerberosPort }
        return failures.isEmpty ? nil : .kdcUnreachable(realm: realm, principal: principal, failures)
    }

    /// A new connection, bound with the same tickets (or password, for LDAPS), after the old one
    /// broke (a DC restart, an idle timeout, a middlebox, a DC that stopped answering: `cause`).
    /// No new login. The DCs are asked in the order of now; the DC that broke is listed among
    /// the unreachable ones.
    package func reconnect(after cause: String? = nil) throws(AccountFetchError) {
        let broken = connection.controller
        let (connection, unreachable) = try Self.connect(ordering(settings.controllers), realm: realm, bindOne)
        self.connection = connection
        self.unreachable = (cause.map { [(broken, $0)] } ?? []) + unreachable.filter { $0.controller != broken || cause == nil }
    }

    /// The DCs of the session's domain, in their configured or discovered order.
    package var controllers: [DomainController] { settings.controllers }

    /// The DC that answered.
    package var controller: DomainController { connection.controller }

    /// How the session is protected, in words.
    package var protectionDescription: String {
        connection.isTLS ? "LDAPS simple bind" : "sealed GSSAPI bind"
    }
}

// MARK: - Stages (the doctor runs them one at a time, with its diagnoses)

extension DirectorySession {
    /// The portable user logged in: its TGT lives in memory only, as long as the login.
    package struct Login {
        package let context: KerberosContext
        package let cache: CredentialsCache
        package let times: TicketTimes
    }

    /// Logs the portable user in with its password (what a sealed GSSAPI bind needs first).
    package static func logIn(_ user: PortableUser, password: SecretBytes) throws(KerberosError) -> Login {
        let context = try KerberosContext()
        let cache = try CredentialsCache.newInMemory(context: context)
        let times = try context.obtainTicket(for: try Principal(parsing: user.principal, context: context), password: password, into: cache)
        return Login(context: context, cache: cache, times: times)
    }

    /// Throws unless `keytab` holds keys of `principal` (read as a login would, without one).
    package static func checkMachineKeytab(_ keytab: String, principal: String) throws(KerberosError) {
        let context = try KerberosContext()
        _ = try Keytab.memoryCopy(ofFile: keytab, principal: try Principal(parsing: principal, context: context), context: context)
    }

    /// Logs the host's computer account in with its keys, read from `keytab` into memory.
    package static func logIn(machine: String, keytab path: String) throws(KerberosError) -> Login {
        let context = try KerberosContext()
        let principal = try Principal(parsing: machine, context: context)
        let keytab = try Keytab.memoryCopy(ofFile: path, principal: principal, context: context)
        let cache = try CredentialsCache.newInMemory(context: context)
        let times = try context.obtainTicket(for: principal, keytab: keytab, into: cache)
        return Login(context: context, cache: cache, times: times)
    }

    /// A connection to `controller` bound as the user: GSSAPI with `tickets`, sealed, or LDAPS and
    /// a simple bind, as `settings` say. The strength factor is nil for LDAPS.
    package static func bind(
        to controller: DomainController, settings: DomainSettings, user: PortableUser, password: SecretBytes,
        tickets: CredentialsCache?
    ) throws(DirectoryError) -> (connection: DirectoryConnection, strength: Int?) {
        switch settings.protection {
        case .sealedGSSAPI:
            let connection = try DirectoryConnection(to: controller, transport: .plain, timeout: settings.timeout)
            let strength = try tickets.map { cache throws(DirectoryError) in try connection.bindGSSAPI(credentials: cache) }
            return (connection, strength)
        case let .ldaps(caFile):
            let connection = try DirectoryConnection(to: controller, transport: .tls(caFile: caFile), timeout: settings.timeout)
            try connection.bindSimple(user: user.bindName, password: password)
            return (connection, nil)
        }
    }
}

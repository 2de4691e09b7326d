import CCGPlugin
import Configuration
import CredSpec
import Directory
import DomainModel
import FoundationEssentials
import Glibc
import Kerberos
import KerberosKeys
import DirectoryPipeline

/// The links from DC discovery on. Blocking (DNS, libkrb5, libldap): run it on a thread of its own.
final class DoctorSession {
    private let options: Doctor.Options
    private let configuration: ServiceConfiguration
    private let spec: CredentialSpec
    private let reader: DoctorReader
    /// The site and its DCs, when the DCs came from DNS.
    private var location: DomainControllerLocation?

    private typealias Login = DirectorySession.Login

    init(options: Doctor.Options, configuration: ServiceConfiguration, spec: CredentialSpec, reader: DoctorReader) {
        self.options = options
        self.configuration = configuration
        self.spec = spec
        self.reader = reader
    }

    /// The portable user's names, for a CredSpec read through a plug-in.
    private func portableUser(_ answer: PluginAnswer) -> PortableUser {
        PortableUser(answer.credential, realm: spec.realm, dnsDomain: spec.dnsDomain, netBiosName: spec.domainJoinConfig.netBiosName)
    }

    func run(_ journal: inout DoctorJournal) {
        guard let settings = journal.run(.discovery, { () throws(DoctorFinding) in try discover() }),
            journal.run(.kdcReachability, { () throws(DoctorFinding) in try probeKerberos(settings) }) != nil,
            let usable = journal.run(.ldapReachability, { () throws(DoctorFinding) in try probeDirectory(settings) }),
            let login = journal.run(
                .portableUserLogin, name: machineName.map { _ in "machine login" },
                {
                    () throws(DoctorFinding) in try logIn(usable: usable, settings: settings)
                }),
            let connection = journal.run(
                .bind, name: settings.protection == .sealedGSSAPI ? nil : "LDAPS bind",
                {
                    () throws(DoctorFinding) in try bind(usable: usable, settings: settings, login: login)
                }),
            let records = journal.run(.permission, { () throws(DoctorFinding) in try readAccounts(connection) }),
            journal.run(.blob, { () throws(DoctorFinding) in try decodeBlobs(records) }) != nil,
            let accounts = journal.run(.keys, { () throws(DoctorFinding) in try deriveKeys(records, context: login.context) })
        else { return }
        guard journal.run(.managedAccountLogin, { () throws(DoctorFinding) in try logIn(accounts, records: records, context: login.context) }) != nil
        else { return }
        _ = journal.run(
            .serviceTicket,
            { () throws(DoctorFinding) in
                try DoctorServiceTicketCheck(context: login.context, cache: login.cache).check(accounts)
            })
    }

    /// The computer account's principal when the host reads as itself.
    private var machineName: String? {
        if case let .machine(principal, _) = reader { return principal }
        return nil
    }

    // MARK: DCs

    /// The pipeline's first stage, with the doctor's diagnosis when it finds no DC.
    private func discover() throws(DoctorFinding) -> DoctorPass<DomainSettings> {
        let realm = spec.realm
        let resolver = DomainResolver(
            configuration: configuration,
            overrides: DomainResolver.Overrides(
                controllers: options.controllers, protection: options.protection, timeout: options.timeout))
        let resolution: DomainResolver.Resolution
        do { resolution = try resolver.resolve(realm: realm, dnsDomain: spec.dnsDomain) } catch {
            let servers = resolver.locator.nameservers
            let record = DomainResolver.serviceRecord(of: spec.dnsDomain)
            let via = servers.isEmpty ? "the system's DNS servers" : servers.joined(separator: ", ")
            let reason: String
            if case let .discoveryFailed(_, _, _, text) = error { reason = text } else { reason = "\(error)" }
            throw DoctorFinding(
                "DNS SRV \(record) via \(via): \(reason)",
                finding:
                    "No domain controller of \(realm) was found: \(configuration.sourceFile.isEmpty ? "the configuration" : configuration.sourceFile) has no [domain \"\(realm)\"] controllers and DNS SRV \(record) (asked of \(via)) gave none: \(reason).",
                fix:
                    "List the DCs in [domain \"\(realm)\"] controllers (or try --dc NAME=ADDRESS), or publish the SRV records and set [daemon] dns-servers to DNS servers that know \(spec.dnsDomain)."
            )
        }
        let settings = resolution.settings
        location = resolution.location
        let source: String
        switch resolution.origin {
        case .commandLine: source = "from --dc"
        case .section: source = "from [domain \"\(realm)\"] of \(configuration.sourceFile)"
        case let .dns(record, servers):
            source = "from DNS SRV \(record) via \(servers.isEmpty ? "the system's DNS servers" : servers.joined(separator: ", "))"
        }

        var kerberos = ""
        do {
            try ProcessKerberosConfiguration.useForTool(
                file: options.kerberosConfigurationFile, realm: realm, dnsDomain: spec.dnsDomain,
                settings: settings, scratch: options.scratchDirectory)
            if let file = options.kerberosConfigurationFile { kerberos = "; Kerberos configuration \(file)" }
        } catch {
            let path = options.scratchDirectory + "/krb5.conf"
            throw DoctorFinding(
                "cannot write \(path)", finding: "The doctor cannot write its krb5.conf at \(path): \(error).",
                fix: "Let the doctor write to its temporary directory (TMPDIR), or give a krb5.conf with --krb5-config.")
        }
        let names = settings.controllers.map(\.description).joined(separator: ", ")
        // A DC found by a name that does not resolve here is no DC to talk to.
        let unresolvable = ControllerProbe.unresolvable(settings.controllers)
        if unresolvable.count == settings.controllers.count {
            let causes = unresolvable.map(\.description).joined(separator: "; ")
            throw DoctorFinding(
                causes, finding: "No domain controller of \(realm) \(source) resolves from this host: \(causes).",
                fix:
                    "Check the names, or give each DC's address (NAME=ADDRESS in --dc or [domain \"\(realm)\"] controllers), or point this host's DNS at servers that know them."
            )
        }
        return DoctorPass(
            value: settings, detail: "\(names) \(source)\(siteDetail)\(kerberos)",
            warnings: unresolvable.map { "\($0); ccgd will use the DCs that resolve" })
    }

    private func probeKerberos(_ settings: DomainSettings) throws(DoctorFinding) -> DoctorPass<Void> {
        let (answered, failures) = probe(settings.controllers, timeout: settings.timeout) { _ in ControllerProbe.kerberosPort }
        guard !answered.isEmpty else {
            throw DoctorFinding(
                failures.joined(separator: "; "),
                finding: "No domain controller of \(spec.realm) answers on the Kerberos port: \(failures.joined(separator: "; ")).",
                fix:
                    "Check the DCs' addresses (--dc, [domain] controllers or DNS) and that TCP port 88 is open from this host to them (firewall, security group, the DC's KDC)."
            )
        }
        return DoctorPass(
            answered.map { "\($0) port 88" }.joined(separator: ", "),
            warnings: failures.map { "\($0); ccgd will use the DCs that answer" })
    }

    private func probeDirectory(_ settings: DomainSettings) throws(DoctorFinding) -> DoctorPass<[DomainController]> {
        let isTLS = settings.protection != .sealedGSSAPI
        let port = { (controller: DomainController) in isTLS ? controller.ldapsPort : controller.ldapPort }
        let (answered, failures) = probe(settings.controllers, timeout: settings.timeout, port: port)
        guard !answered.isEmpty else {
            throw DoctorFinding(
                failures.joined(separator: "; "),
                finding: "No domain controller of \(spec.realm) answers on its \(isTLS ? "LDAPS" : "LDAP") port: \(failures.joined(separator: "; ")).",
                fix:
                    "Check the DCs' addresses and ports (--dc NAME=ADDRESS[:PORT], [domain] controllers or DNS) and that the port is open from this host (firewall, security group)."
            )
        }
        return DoctorPass(
            value: answered, detail: answered.map { "\($0) port \(port($0))" }.joined(separator: ", ") + "; " + choice(answered[0]),
            warnings: failures.map { "\($0); ccgd will use the DCs that answer" })
    }

    /// "; site Branch (from the LDAP ping answered by dc1.contoso.test), its DCs first: dc2.contoso.test".
    private var siteDetail: String {
        guard let location else { return "" }
        guard let site = location.site else { return "; no AD site: \(location.siteProblem ?? "none known")" }
        guard location.siteProblem == nil else { return "; site \(site): \(location.siteProblem!)" }
        return "; site \(site), its DCs first: \(location.siteControllers.joined(separator: ", "))"
    }

    /// The DC ccgd would use (the first that answers) and why that one.
    private func choice(_ controller: DomainController) -> String {
        let why: String
        if let location, let site = location.site {
            if location.isInSite(controller.hostName) {
                why = "in this host's site \(site.name)"
            } else if location.siteControllers.isEmpty {
                why = "first in DNS's order (site \(site.name) names no DC)"
            } else {
                why = "fallback: no DC of this host's site \(site.name) answers"
            }
        } else if location != nil {
            why = "first in DNS's order (no AD site known)"
        } else {
            why = "first listed that answers"
        }
        return "ccgd uses \(controller.hostName): \(why)"
    }

    private func probe(
        _ controllers: [DomainController], timeout: Int, port: (DomainController) -> UInt16
    ) -> (answered: [DomainController], failures: [String]) {
        let (answered, failures) = ControllerProbe.probe(controllers, timeout: timeout, port: port)
        return (answered, failures.map(\.description))
    }

    // MARK: the portable user

    private func logIn(usable: [DomainController], settings: DomainSettings) throws(DoctorFinding) -> DoctorPass<Login> {
        let principal: String
        let login: Login
        switch reader {
        case let .portableUser(answer):
            let user = portableUser(answer)
            principal = user.principal
            do {
                login = try DirectorySession.logIn(user, password: answer.credential.password.withUTF8 { SecretBytes(copying: $0) })
            } catch {
                throw DoctorDiagnosis.portableUserLogin(error, principal: principal, answer: answer, realm: spec.realm) {
                    self.directoryTime(usable, settings: settings)
                }
            }
        case let .machine(machine, keytab):
            principal = machine
            do { login = try DirectorySession.logIn(machine: machine, keytab: keytab) } catch {
                throw DoctorFinding(
                    "\(machine): \(error.kind == .wrongPassword ? "the KDC refused the key" : "\(error)")",
                    finding: "The KDC did not log \(machine) in with the keys of \(keytab): \(error)",
                    fix:
                        "The keytab is stale or belongs to another join: rejoin the host (realm join, adcli join, net ads join) or export a fresh keytab, then check it with kinit -k -t \(keytab) '\(machine)'."
                )
            }
        }
        // libkrb5 quietly corrects its own requests for a skewed clock (kdc_timesync), but
        // ccgd's renewal times and every service in a container read this host's clock.
        let now = Date()
        let times = login.times
        let offset = Int64(now.timeIntervalSince(times.authTime).rounded())
        let limit = options.maximumClockSkew.components.seconds
        if abs(offset) > limit {
            throw DoctorDiagnosis.clockSkew(
                "\(principal): clock skew \(DoctorFormat.span(seconds: offset)) \(offset > 0 ? "ahead of" : "behind") the KDC", local: now, kdc: times.authTime,
                consequence: "libkrb5 works around it for its own requests, but ccgd's ticket renewal and the services in containers go by this host's clock")
        }
        var warnings: [String] = []
        if abs(offset) > limit / 5 {
            warnings.append(
                "this host's clock is \(DoctorFormat.span(seconds: offset)) \(offset > 0 ? "ahead of" : "behind") the KDC's; synchronise it (NTP) before the difference reaches \(DoctorFormat.span(seconds: limit))."
            )
        }
        let clock = abs(offset) <= 1 ? "clocks agree" : "clock \(DoctorFormat.span(seconds: offset)) \(offset > 0 ? "ahead" : "behind")"
        return DoctorPass(value: login, detail: "TGT for \(principal) until \(DoctorFormat.time(times.endTime)); \(clock)", warnings: warnings)
    }

    /// The DC's clock, read from its rootDSE without a bind; nil when no DC tells.
    private func directoryTime(_ controllers: [DomainController], settings: DomainSettings) -> Date? {
        for controller in controllers {
            guard let connection = try? DirectoryConnection(to: controller, transport: .plain, timeout: settings.timeout),
                let seconds = try? connection.currentTime()
            else { continue }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return nil
    }

    // MARK: the directory

    private func bind(usable: [DomainController], settings: DomainSettings, login: Login) throws(DoctorFinding) -> DoctorPass<DirectoryConnection> {
        var skipped: [String] = []
        if machineName != nil, settings.protection != .sealedGSSAPI {
            throw DoctorFinding(
                "LDAPS with a computer account", finding: "\(AccountFetchError.machineAccountNeedsSealedBind(realm: spec.realm))",
                fix: "Set protection = sealed in [domain \"\(spec.realm)\"], or drop --ldaps.")
        }
        for controller in usable {
            do {
                let connection: DirectoryConnection, detail: String
                switch reader {
                case let .portableUser(answer):
                    let user = portableUser(answer)
                    let password = answer.credential.password.withUTF8 { SecretBytes(copying: $0) }
                    let (bound, strength) = try DirectorySession.bind(
                        to: controller, settings: settings, user: user, password: password,
                        tickets: login.cache)
                    connection = bound
                    detail =
                        strength.map { "GSSAPI to \(controller) as \(user.principal), sealed (SSF \($0))" }
                        ?? "LDAPS simple bind to \(controller) as \(user.bindName)"
                case let .machine(machine, _):
                    connection = try DirectoryConnection(to: controller, transport: .plain, timeout: settings.timeout)
                    let strength = try connection.bindGSSAPI(credentials: login.cache)
                    detail = "GSSAPI to \(controller) as \(machine), sealed (SSF \(strength))"
                }
                return DoctorPass(value: connection, detail: detail, warnings: skipped)
            } catch {
                if case .unreachable = error {
                    skipped.append("\(error)")
                    continue
                }
                let principal = readerName(tls: settings.protection != .sealedGSSAPI)
                throw DoctorDiagnosis.bind(error, controller: controller, principal: principal) {
                    self.ownName(of: controller, timeout: settings.timeout)
                }
            }
        }
        throw DoctorFinding(
            "no DC kept the connection", finding: "No domain controller of \(spec.realm) kept the LDAP connection: \(skipped.joined(separator: " ")).",
            fix: "Check that the DCs answer LDAP from this host; \(DoctorDiagnosis.traceHint).")
    }

    /// The name the DC gives itself in its rootDSE (readable without a bind).
    private func ownName(of controller: DomainController, timeout: Int) -> String? {
        let connection = try? DirectoryConnection(to: controller, transport: .plain, timeout: timeout)
        let entries = try? connection?.search(base: "", scope: .base, filter: "(objectClass=*)", attributes: ["dnsHostName"])
        return entries?.first?.string("dnsHostName")
    }

    /// Who reads the directory, as the DC knows it.
    private func readerName(tls: Bool) -> String {
        switch reader {
        case let .portableUser(answer): tls ? portableUser(answer).bindName : portableUser(answer).principal
        case let .machine(principal, _): principal
        }
    }

    private func readAccounts(_ connection: DirectoryConnection) throws(DoctorFinding) -> DoctorPass<[ManagedServiceAccountRecord]> {
        let domainDN = DirectoryConnection.distinguishedName(ofDNSDomain: spec.dnsDomain)
        let reader = readerName(tls: connection.isTLS)
        var records: [ManagedServiceAccountRecord] = []
        for account in spec.accounts {
            do { records.append(try connection.readManagedServiceAccount(account, domainDN: domainDN)) } catch {
                if case let .accessDenied(denied, _) = error, let machine = machineName {
                    let message = "\(AccountFetchError.machineAccountNotAllowed(account: denied, machine: machine))"
                    throw DoctorFinding(
                        "\(machine) may not read the password of \(denied)", finding: message,
                        fix:
                            "Add \(machine.split(separator: "@")[0]) to the group the gMSA's msDS-GroupMSAMembership names (Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword, or samba-tool group addmembers), then run the doctor again: each run logs in anew."
                    )
                }
                throw DoctorDiagnosis.permission(
                    error, account: AccountName(account).samAccountName, reader: reader,
                    dnsDomain: spec.dnsDomain)
            }
        }
        return DoctorPass(value: records, detail: "\(reader) may read the password of \(records.map(\.samAccountName).joined(separator: ", "))")
    }

    // MARK: the password and the keys

    private func decodeBlobs(_ records: [ManagedServiceAccountRecord]) throws(DoctorFinding) -> DoctorPass<Void> {
        var parts: [String] = []
        for record in records {
            let blob: ManagedPasswordBlob
            do { blob = try ManagedPasswordBlob(decoding: record.managedPasswordBlob) } catch {
                throw DoctorFinding(
                    "\(record.samAccountName): malformed blob",
                    finding: "The DC sent an msDS-ManagedPassword of \(record.samAccountName) that is not an MSDS-MANAGEDPASSWORD_BLOB: \(error)",
                    fix: "Save it with ldapsearch and look inside with ccgctl blob decode; a proxy or a directory that is not AD in between is the usual cause."
                )
            }
            let previous =
                blob.previousPassword == nil
                ? "no previous password"
                : "previous password kept (kvno \(record.keyVersionNumber > 1 ? record.keyVersionNumber - 1 : 0))"
            parts.append(
                "\(record.samAccountName) kvno \(record.keyVersionNumber): query interval \(DoctorFormat.span(blob.queryPasswordInterval)), unchanged interval \(DoctorFormat.span(blob.unchangedPasswordInterval)), \(previous)"
            )
        }
        return DoctorPass(parts.joined(separator: "; "))
    }

    private func deriveKeys(_ records: [ManagedServiceAccountRecord], context: KerberosContext) throws(DoctorFinding) -> DoctorPass<[ManagedAccount]> {
        var accounts: [ManagedAccount] = [], parts: [String] = [], warnings: [String] = []
        for record in records {
            let account: ManagedAccount
            do { account = try ManagedAccountFetcher.derive(record, realm: spec.realm, dnsDomain: spec.dnsDomain) } catch {
                throw DoctorFinding(
                    "\(record.samAccountName): keys not derived", finding: "\(error)",
                    fix: "Check that OpenSSL's legacy provider (MD4, for RC4 keys) and libkrb5 are installed; report it if they are.")
            }
            let attribute =
                record.supportedEncryptionTypes.map { "msDS-SupportedEncryptionTypes \(DoctorFormat.hex($0))" }
                ?? "msDS-SupportedEncryptionTypes unset: all three"
            var salt = "salt \(account.salt)"
            do {
                let advertised = try context.keySaltAdvertisement(for: try Principal(parsing: account.principal, context: context))
                if advertised.salt.isEmpty {
                    salt += " (the KDC tells no salt)"
                } else if advertised.salt != account.salt.value {
                    throw DoctorFinding(
                        "\(record.samAccountName): salt mismatch (KDC \(advertised.salt), derived \(account.salt))",
                        finding:
                            "Salt mismatch: the KDC salts the keys of \(record.samAccountName) with \(advertised.salt), but AD's rule for gMSAs gives \(account.salt); the derived keys cannot match.",
                        fix: "Check whether the account was renamed or its sAMAccountName differs from the CredSpec's Name, and report both salts.")
                } else {
                    salt += ", as the KDC says"
                }
                if advertised.encryptionTypeNumber != 0, !account.encryptionTypes.contains(where: { $0.rawValue == advertised.encryptionTypeNumber }) {
                    warnings.append(
                        "the KDC prefers \(advertised.encryptionTypeName) for \(record.samAccountName), which \(attribute) does not let ccgd derive; set msDS-SupportedEncryptionTypes to match (24 for AES)."
                    )
                }
            } catch let error as KerberosError {
                // A disabled account is explained by the next step; anything else only costs the comparison.
                if error.kind == .clientRevoked {
                    salt += " (not compared: the KDC refuses the account)"
                } else {
                    warnings.append("could not ask the KDC for the salt of \(record.samAccountName): \(error.libraryMessage)")
                }
            } catch let finding as DoctorFinding {
                throw finding
            } catch {}
            accounts.append(account)
            parts.append("\(record.samAccountName): \(account.encryptionTypes.map(\.name).joined(separator: ", ")) (\(attribute)); \(salt)")
        }
        return DoctorPass(value: accounts, detail: parts.joined(separator: "; "), warnings: warnings)
    }

    // MARK: the gMSA itself

    private func logIn(_ accounts: [ManagedAccount], records: [ManagedServiceAccountRecord], context: KerberosContext) throws(DoctorFinding) -> DoctorPass<Void>
    {
        var parts: [String] = [], warnings: [String] = []
        for (account, record) in zip(accounts, records) {
            do {
                let client = try Principal(parsing: account.principal, context: context)
                let entries = account.currentKeys.map {
                    KeytabEntry(principal: account.principal, keyVersionNumber: account.keyVersionNumber, key: $0)
                }
                let keytab = try Keytab(inMemory: entries, context: context)
                let cache = try CredentialsCache.newInMemory(context: context)
                let times = try context.obtainTicket(for: client, keytab: keytab, into: cache)
                let names = account.servicePrincipalNames.isEmpty ? "no SPN" : "SPNs \(account.servicePrincipalNames.joined(separator: ", "))"
                parts.append("TGT for \(account.principal) until \(DoctorFormat.time(times.endTime)); \(names)")
            } catch {
                throw DoctorDiagnosis.managedAccountLogin(error, account: account, record: record)
            }
            if account.servicePrincipalNames.isEmpty {
                let host = "\(account.name.lowercased()).\(spec.dnsDomain)"
                warnings.append(
                    "SPN missing: \(account.samAccountName) has no servicePrincipalName, so services cannot get tickets for it; add one: Set-ADServiceAccount -Identity \(account.name) -ServicePrincipalNames @{Add='HTTP/\(host)'} (setspn -S HTTP/\(host) \(account.samAccountName))."
                )
            }
        }
        return DoctorPass(parts.joined(separator: "; "), warnings: warnings)
    }
}

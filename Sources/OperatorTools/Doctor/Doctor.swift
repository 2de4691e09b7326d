import CCGPlugin
import Configuration
import CredSpec
import Directory
import DomainModel
import FilePlugin
import FoundationEssentials
import Glibc
import DirectoryPipeline
import LeaseService
import PluginHost
import SystemSupport

/// `ccgctl doctor`: ccgd's chain run one link at a time (CredSpec, plug-in, DCs, KDC, sealed
/// bind, permission, blob, keys, the gMSA's own TGT), timed, stopping at the first link that
/// breaks and saying what is wrong and what to do. Never prints a secret.
///
/// It points the process's Kerberos configuration (KRB5_CONFIG, which GSS-API reads too) at a
/// krb5.conf made from the DCs it finds, for the length of `run`: a tool's job, not the daemon's.
package struct Doctor: Sendable {
    package struct Options: Sendable {
        /// A CredSpec file, or the name of one in the configuration's CredSpec directory.
        package var credSpec: String
        package var configurationPath: String
        /// DCs to use instead of the configuration's or DNS's (`--dc`).
        package var controllers: [DomainController] = []
        /// How the password travels, when not as the configuration says (`--ldaps`).
        package var protection: DomainSettings.Protection?
        /// Seconds to wait for each DC, when not as the configuration says.
        package var timeout: Int?
        /// A krb5.conf to use as it is, instead of one made from the DCs found.
        package var kerberosConfigurationFile: String?
        /// The portable user's credentials from this file (the file plug-in's formats) instead
        /// of from the CredSpec's plug-in.
        package var credentialsFile: String?
        /// The computer account's keytab and principal for a domain-joined CredSpec, when not as the configuration says.
        package var machineKeytab: String?
        package var machinePrincipal: String?
        /// A private directory for the krb5.conf the doctor writes.
        package var scratchDirectory: String
        /// A clock difference with the KDC beyond this fails the login step (Kerberos' default
        /// tolerance); beyond a fifth of it, a warning.
        package var maximumClockSkew: Duration = .seconds(300)

        package init(credSpec: String, configurationPath: String, scratchDirectory: String) {
            self.credSpec = credSpec
            self.configurationPath = configurationPath
            self.scratchDirectory = scratchDirectory
        }
    }

    package let options: Options
    private let blocking = BlockingWork(label: "ccgd.doctor")

    package init(options: Options) {
        self.options = options
    }

    /// Runs the chain; `progress` hears of each step as it ends (to print it at once).
    package func run(progress: @escaping @Sendable (DoctorStepResult) -> Void = { _ in }) async -> DoctorReport {
        let options = self.options
        var journal = DoctorJournal(progress: progress)
        guard let configuration = journal.run(.configuration, { () throws(DoctorFinding) in try Self.configuration(options) }),
            let spec = journal.run(.parse, { () throws(DoctorFinding) in try Self.parse(options, configuration: configuration) }),
            let plugin = await journal.run(
                .plugin, name: Self.readsAsMachine(spec, configuration) ? "machine keytab" : nil,
                {
                    () async throws(DoctorFinding) in
                    guard Self.readsAsMachine(spec, configuration) else {
                        return try await Self.credentials(options, configuration: configuration, spec: spec).map(DoctorReader.portableUser)
                    }
                    return try Self.machineKeytab(options, configuration: configuration, spec: spec)
                })
        else { return DoctorReport(credSpec: options.credSpec, steps: journal.results) }

        let started = journal
        let blocking = self.blocking
        journal = await ProcessKerberosConfiguration.keepingCurrent {
            // The session throws nothing: only a thread could fail to start, and then the steps so far stand.
            (try? await blocking.run {
                var journal = started
                DoctorSession(options: options, configuration: configuration, spec: spec, reader: plugin).run(&journal)
                return journal
            }) ?? started
        }
        return DoctorReport(credSpec: options.credSpec, steps: journal.results)
    }
}

/// Who reads the directory: the plug-in's portable user, or the host's computer account.
enum DoctorReader: Sendable {
    case portableUser(PluginAnswer)
    case machine(principal: String, keytab: String)
}

/// Where the portable user's credentials came from, as the doctor names it.
struct PluginAnswer: Sendable {
    let credential: DomainCredential
    /// "plug-in file ({GUID})" or "the credentials file /path".
    let source: String
    /// Where to change them: "the secret store plug-in file ({GUID}) reads" or "the credentials file /path".
    let store: String
}

// MARK: - configuration, parse, plug-in

extension Doctor {
    static func configuration(_ options: Options) throws(DoctorFinding) -> DoctorPass<ServiceConfiguration> {
        let path = options.configurationPath
        let configuration: ServiceConfiguration
        do { configuration = try ServiceConfiguration.load(path: path) } catch {
            let count = error.problems.count
            throw DoctorFinding(
                "\(path): \(count) problem\(count == 1 ? "" : "s")",
                finding: "\(error)",
                fix: "Fix the configuration at the lines named (each problem says what the key takes), or point --config at ccgd's configuration.")
        }
        guard access(path, F_OK) == 0 else {
            return DoctorPass(value: configuration, detail: "\(path) does not exist: built-in defaults")
        }
        let domains = configuration.domains.map { "[domain \"\($0.realm)\"]" }
        let plugins = configuration.registeredPlugins.count
        var parts = [domains.isEmpty ? "no [domain] section" : domains.joined(separator: ", ")]
        parts.append("\(plugins) plug-in\(plugins == 1 ? "" : "s") registered")
        return DoctorPass(value: configuration, detail: "\(path): " + parts.joined(separator: ", "))
    }

    static func parse(_ options: Options, configuration: ServiceConfiguration) throws(DoctorFinding) -> DoctorPass<CredentialSpec> {
        let input = options.credSpec
        let directory = configuration.daemon.credSpecDirectory
        let spec: CredentialSpec
        let source: String
        if input.contains("/") || access(input, F_OK) == 0 {
            source = input
            do { spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: input)) } catch {
                throw DoctorDiagnosis.credSpec(error, source: input)
            }
        } else {
            source = directory + "/" + ((try? CredSpecName(input))?.fileName ?? input)
            do { spec = try CredSpecDirectory(path: directory).read(input) } catch {
                switch error {
                case let .credSpecInvalid(problem, _): throw DoctorDiagnosis.credSpec(problem, source: source)
                case .credSpecNotFound:
                    throw DoctorFinding(
                        "no \(source)",
                        finding:
                            "there is no CredSpec \(input) in \(directory) (the [daemon] credspec-directory of \(configuration.sourceFile.isEmpty ? "the defaults" : configuration.sourceFile)).",
                        fix: "Give the CredSpec file's path, or put \(input).json in \(directory).")
                default:
                    throw DoctorFinding(
                        "\(input): not a CredSpec name", finding: "\(error)", fix: "Give a CredSpec file's path, or a plain name like WebApp01.")
                }
            }
        }
        let accounts = spec.accounts.map { AccountName($0).samAccountName }
        return DoctorPass(
            value: spec,
            detail:
                "\(source): gMSA \(accounts.joined(separator: ", ")) of \(spec.realm), \(spec.hostAccountConfig.map { "plug-in \($0.pluginGUID)" } ?? "domain joined, no plug-in")"
        )
    }

    /// Whether ccgd reads `spec` with the host's computer account (no HostAccountConfig, or mode = domain-joined).
    static func readsAsMachine(_ spec: CredentialSpec, _ configuration: ServiceConfiguration) -> Bool {
        DirectoryReader.of(spec, configuration: configuration) == .computerAccount
    }

    /// The machine keytab: there, readable, private to root, and holding the computer account's keys.
    static func machineKeytab(_ options: Options, configuration: ServiceConfiguration, spec: CredentialSpec) throws(DoctorFinding) -> DoctorPass<DoctorReader> {
        let section = configuration.domain(spec.realm)
        let keytab = options.machineKeytab ?? section?.machineKeytab ?? ServiceConfiguration.Domain.defaultMachineKeytab
        let principal = MachineAccount(keytab: keytab, principal: options.machinePrincipal ?? section?.machinePrincipal).principal(realm: spec.realm)
        let join = "Join the host (realm join, adcli join or net ads join), or set machine-keytab in [domain \"\(spec.realm)\"] to the keytab the join left."
        var status = stat()
        guard stat(keytab, &status) == 0 else {
            throw DoctorFinding(
                "\(keytab): \(String(cString: strerror(errno)))", finding: "The machine keytab \(keytab) cannot be found: \(String(cString: strerror(errno))).",
                fix: join)
        }
        if status.st_mode & 0o077 != 0 {
            throw DoctorFinding(
                "\(keytab): mode 0\(String(status.st_mode & 0o777, radix: 8))",
                finding:
                    "The machine keytab \(keytab) is open to group or others (mode 0\(String(status.st_mode & 0o777, radix: 8))): anyone who reads it is this computer in the domain.",
                fix: "chmod 600 \(keytab) (owned by root).")
        }
        do { try DirectorySession.checkMachineKeytab(keytab, principal: principal) } catch {
            throw DoctorFinding(
                "\(keytab): no keys of \(principal)", finding: "The machine keytab \(keytab) cannot give the keys of \(principal): \(error)",
                fix:
                    "Set machine-principal in [domain \"\(spec.realm)\"] (or --machine-principal) to the principal klist -k \(keytab) lists, or rejoin the host."
            )
        }
        return DoctorPass(
            value: .machine(principal: principal, keytab: keytab),
            detail: "\(keytab) holds the keys of \(principal) (mode 0\(String(status.st_mode & 0o777, radix: 8)))")
    }

    static func credentials(
        _ options: Options, configuration: ServiceConfiguration, spec: CredentialSpec
    ) async throws(DoctorFinding) -> DoctorPass<PluginAnswer> {
        if let file = options.credentialsFile {
            let credential: DomainCredential
            do { credential = try FilePlugin.read(credentialsFile: file) } catch {
                let (finding, fix) = DoctorDiagnosis.splitAdvice(error.message)
                throw DoctorFinding(
                    "credentials file \(file): \(error.code.rawValue)", finding: DoctorDiagnosis.sentence(finding),
                    fix: fix ?? "Write the file as DOMAIN\\user:password, user@domain:password or JSON, mode 0600.")
            }
            return DoctorPass(
                value: PluginAnswer(credential: credential, source: "the credentials file \(file)", store: "the credentials file \(file)"),
                detail: "credentials file \(file) (--credentials): \(credential)")
        }
        let registry: PluginRegistry
        do { registry = try PluginRegistry(configuration: configuration) } catch {
            throw DoctorFinding(
                "a registered plug-in cannot be loaded", finding: "\(error)",
                fix: "Fix the [plugin] section named (an absolute path to a file owned by root, not writable by group or others), or remove it.")
        }
        guard let guid = spec.hostAccountConfig?.pluginGUID else {
            throw DoctorFinding(
                "domain-joined CredSpec",
                finding: "the CredSpec has no HostAccountConfig, so the host's computer account reads the passwords; the doctor does not check that way yet.",
                fix: "Check it with ccgctl fetch, which logs in with the machine keytab.")
        }
        let registration = registry.all.first { $0.guid == guid }
        let credential: DomainCredential
        do { credential = try await registry.credentials(for: spec) } catch {
            throw DoctorDiagnosis.plugin(error, configurationFile: configuration.sourceFile, registry: registry)
        }
        let name = registration.map { "\($0.name) (\($0.origin))" } ?? "\(guid)"
        let source = "plug-in \(registration?.name ?? "") (\(guid))"
        return DoctorPass(
            value: PluginAnswer(credential: credential, source: source, store: "the secret store \(source) reads"),
            detail: "\(name) answered \(credential) for PluginGUID \(guid)")
    }
}

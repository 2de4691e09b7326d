import ArgumentParser
import Foundation
import OperatorTools

/// `ccgctl doctor`: the chain step by step, and what to fix when a link breaks.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every link from a CredSpec to the gMSA's ticket, and say what is wrong and how to fix it.",
        discussion: """
            Runs ccgd's chain one step at a time, timing each: configuration, parse, plug-in, DC \
            discovery, KDC reachability, LDAP reachability, portable-user login, sealed LDAP bind, \
            password permission, blob, keys, gMSA TGT, service ticket. Stops at the first step that fails and says \
            what is wrong and the likely fix. Writes nothing but a temporary krb5.conf and never \
            prints a secret. Exits 0 when every step passes (warnings allowed), 1 otherwise.
            """)

    @Option(
        name: .customLong("credspec"),
        help: "A CredSpec file, or the name of one in the CredSpec directory of the configuration (e.g. WebApp01).")
    var credSpec: String

    @OptionGroup var configuration: ConfigurationOptions

    @Option(
        name: .customLong("credentials"),
        help: "Read the portable user's credentials from this file (JSON, DOMAIN\\user:password or user@domain:password) instead of the CredSpec's plug-in.")
    var credentialsPath: String?

    @Option(help: "For a domain-joined CredSpec: the computer account's keytab (default: [domain] machine-keytab, else /etc/krb5.keytab).")
    var machineKeytab: String?

    @Option(help: "For a domain-joined CredSpec: the computer account's principal (default: [domain] machine-principal, else <SHORT HOST NAME>$@REALM).")
    var machinePrincipal: String?

    @OptionGroup var connection: DomainConnectionOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let overrides = try connection.overrides()
        let scratch = try TemporaryDirectory()
        var options = Doctor.Options(credSpec: credSpec, configurationPath: configuration.path, scratchDirectory: scratch.path)
        options.controllers = overrides.controllers
        options.credentialsFile = credentialsPath
        options.machineKeytab = machineKeytab
        options.machinePrincipal = machinePrincipal
        options.kerberosConfigurationFile = connection.krb5Config
        options.timeout = overrides.timeout
        options.protection = overrides.protection

        let json = self.json
        let report = await Doctor(options: options).run { step in
            if !json { print(DoctorText.line(step)) }
        }
        print(json ? DoctorText.json(report) : DoctorText.summary(report))
        withExtendedLifetime(scratch) {}
        if !report.passed { throw ExitCode.failure }
    }
}

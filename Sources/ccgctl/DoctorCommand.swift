import ArgumentParser
import CredentialGuard
import Directory
import Foundation

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

    @Option(name: .customLong("credspec"),
            help: "A CredSpec file, or the name of one in the CredSpec directory of the configuration (e.g. WebApp01).")
    var credSpec: String

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .customLong("credentials"),
            help: "Read the portable user's credentials from this file (JSON, DOMAIN\\user:password or user@domain:password) instead of the CredSpec's plug-in.")
    var credentialsPath: String?

    @Option(name: .customLong("dc"), help: "A domain controller: NAME, or NAME=ADDRESS[:PORT] when NAME does not resolve here. Repeat for more. Default: the [domain] section of the configuration, else DNS SRV records.")
    var controllers: [String] = []

    @Flag(help: "Use LDAPS with a simple bind instead of a sealed GSSAPI bind.")
    var ldaps = false

    @Option(name: .customLong("ca-file"), help: "CA certificate that signed the DC's LDAPS certificate.")
    var caFile: String?

    @Option(name: .customLong("krb5-config"), help: "Use this krb5.conf instead of one made from the DCs found.")
    var krb5Config: String?

    @Option(help: "Seconds to wait for each domain controller (default: the configuration's, else 5).")
    var timeout: Int?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let parsed = try controllers.map { text in
            guard let controller = DomainController(parsing: text) else {
                throw ValidationError("--dc \(text) is not NAME or NAME=ADDRESS[:PORT]; for example --dc dc1.contoso.com=192.0.2.10.")
            }
            return controller
        }
        if let timeout, timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
        let scratch = try TemporaryDirectory()
        var options = Doctor.Options(credSpec: credSpec, configurationPath: configuration.path, scratchDirectory: scratch.path)
        options.controllers = parsed
        options.credentialsFile = credentialsPath
        options.kerberosConfigurationFile = krb5Config
        options.timeout = timeout
        if ldaps || caFile != nil { options.protection = .ldaps(caFile: caFile) }

        let json = self.json
        let report = await Doctor(options: options).run { step in
            if !json { print(DoctorText.line(step)) }
        }
        print(json ? DoctorText.json(report) : DoctorText.summary(report))
        withExtendedLifetime(scratch) {}
        if !report.passed { throw ExitCode.failure }
    }
}

import ArgumentParser
import Configuration
import Directory
import DirectoryPipeline
import DomainModel

/// How ccgctl reaches a domain's directory (`fetch`, `credspec new`, `doctor`): the `DomainResolver` of
/// ccgd under these options, so the command line, the `[domain]` section and DNS SRV records
/// count in the same order for every command.
struct DomainConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("dc"),
        help: ArgumentHelp(
            "A domain controller: NAME, or NAME=ADDRESS[:PORT] when NAME does not resolve here. Repeat for more; tried in order. Default: the [domain] section of the configuration, else the domain's DNS SRV records.",
            valueName: "NAME[=ADDRESS]"))
    var controllers: [String] = []

    @Flag(help: "Use LDAPS with a simple bind instead of a sealed GSSAPI bind.")
    var ldaps = false

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("CA certificate that signed the DC's LDAPS certificate (implies --ldaps).", valueName: "FILE"))
    var caFile: String?

    @Option(name: .customLong("krb5-config"), help: ArgumentHelp("Use this krb5.conf instead of one made from the domain controllers.", valueName: "FILE"))
    var krb5Config: String?

    @Option(help: ArgumentHelp("Seconds to wait for each domain controller (default 5, or the [domain] section's timeout).", valueName: "SECONDS"))
    var timeout: Int?

    /// What these options say over the configuration.
    func overrides() throws -> DomainResolver.Overrides {
        let parsed = try controllers.map { text in
            guard let controller = DomainController(parsing: text) else {
                throw ValidationError("--dc \(text) is not NAME or NAME=ADDRESS[:PORT]; for example --dc dc1.contoso.com=192.0.2.10.")
            }
            return controller
        }
        if let timeout, timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
        // A CA file means LDAPS: it is of no use to anything else.
        return DomainResolver.Overrides(
            controllers: parsed, protection: ldaps || caFile != nil ? .ldaps(caFile: caFile) : nil,
            timeout: timeout)
    }

    /// The DCs of `realm` and how to bind to them. Blocking: discovery asks DNS.
    func settings(realm: String, dnsDomain: String, service: ServiceConfiguration) throws -> DomainSettings {
        try DomainResolver(configuration: service, overrides: overrides()).resolve(realm: realm, dnsDomain: dnsDomain).settings
    }

    /// Points libkrb5 and GSS-API at `--krb5-config`, or at a krb5.conf in `scratch` naming the DCs as KDCs.
    func useKerberosConfiguration(realm: String, dnsDomain: String, settings: DomainSettings, scratch: TemporaryDirectory) throws {
        try ProcessKerberosConfiguration.useForTool(
            file: krb5Config, realm: realm, dnsDomain: dnsDomain, settings: settings,
            scratch: scratch.path)
    }
}

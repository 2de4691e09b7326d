import ArgumentParser
import CCGPlugin
import CredSpec
import CredentialGuard
import Directory
import DurableFiles
import FilePlugin
import Reports
import Foundation

/// `ccgctl fetch`: the whole pipeline once, without the daemon.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch a CredSpec's gMSAs once and write their keytab and a ticket cache.",
        discussion: """
            Gets the portable user's credentials from the plug-in the CredSpec names (or from \
            --credentials), logs in to the domain, reads the managed passwords over a sealed LDAP \
            bind (or LDAPS), derives the keys, writes a keytab and obtains a TGT for the first \
            account with them. Prints what it did; never a secret.
            """)

    @Option(name: .customLong("credspec"), help: "The CredSpec file (JSON, as Windows writes it).")
    var credSpecPath: String

    @Option(name: .customLong("credentials"),
            help: "Read the portable user's credentials from this file (JSON, DOMAIN\\user:password or user@domain:password) instead of the CredSpec's plug-in.")
    var credentialsPath: String?

    @OptionGroup var configuration: ConfigurationOptions

    @Option(name: .customLong("dc"), help: "A domain controller: NAME, or NAME=ADDRESS[:PORT] when NAME does not resolve here. Repeat for more; tried in order. Default: the [domain] section of the configuration.")
    var controllers: [String] = []

    @Flag(help: "Use LDAPS with a simple bind instead of a sealed GSSAPI bind.")
    var ldaps = false

    @Option(name: .customLong("ca-file"), help: "CA certificate that signed the DC's LDAPS certificate.")
    var caFile: String?

    @Option(name: .customLong("krb5-config"), help: "Use this krb5.conf instead of one made from --dc.")
    var krb5Config: String?

    @Option(help: "Where to write the keytab.")
    var keytab = "krb5.keytab"

    @Option(help: "Where to write the ticket cache of the first account ('' for none).")
    var ccache = "krb5cc"

    @Option(help: "Seconds to wait for each domain controller.")
    var timeout = 5

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let spec: CredentialSpec
        do { spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: credSpecPath)) } catch {
            throw ValidationError("\(credSpecPath): \(error)")
        }
        let service = try configuration.load()
        let settings: DomainSettings
        if controllers.isEmpty, let domain = service.domain(spec.realm) {
            settings = DomainSettings(domain)
        } else {
            let parsed = try controllers.map { text in
                guard let controller = DomainController(parsing: text) else {
                    throw ValidationError("--dc \(text) is not NAME or NAME=ADDRESS[:PORT]; for example --dc dc1.contoso.com=192.0.2.10.")
                }
                return controller
            }
            settings = DomainSettings(controllers: parsed, protection: ldaps ? .ldaps(caFile: caFile) : .sealedGSSAPI, timeout: timeout)
        }

        // The Kerberos configuration must be in place before any Kerberos call.
        let scratch = try TemporaryDirectory()
        if let krb5Config {
            ProcessKerberosConfiguration.use(krb5Config)
        } else {
            let configuration = ProcessKerberosConfiguration.make(realm: spec.realm, dnsDomain: spec.dnsDomain, settings: settings)
            try ProcessKerberosConfiguration.install(configuration, at: scratch.path + "/krb5.conf")
        }

        let credential: DomainCredential
        if let credentialsPath {
            credential = try FilePlugin.read(credentialsFile: credentialsPath)
        } else {
            credential = try await PluginRegistry(configuration: service).credentials(for: spec)
        }

        let fetcher = ManagedAccountFetcher(settings: settings)
        let result = try fetcher.fetch(spec, credential: credential)
        try CredentialFiles.writeKeytab(for: result.accounts, to: keytab, ownership: .privateToCaller)
        let ticket = ccache.isEmpty ? nil
            : try CredentialFiles.writeTicketCache(for: result.accounts[0], to: ccache, ownership: .privateToCaller)
        let report = FetchReport(spec: spec, result: result, settings: settings, keytabPath: keytab,
                                 ccachePath: ccache.isEmpty ? nil : ccache, ticket: ticket)
        print(json ? report.json() : report.text())
    }
}

/// A private directory for files that live as long as the command.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/ccgctl-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ValidationError("cannot create a temporary directory in \(NSTemporaryDirectory()); check TMPDIR.")
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

import ArgumentParser
import CCGPlugin
import CredSpec
import DurableFiles
import FilePlugin
import OperatorTools
import Foundation
import DirectoryPipeline
import PluginHost
import SystemSupport

/// `ccgctl fetch`: the whole pipeline once, without the daemon.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch a CredSpec's gMSAs once and write their keytab and a ticket cache.",
        discussion: """
            Gets the portable user's credentials from the plug-in the CredSpec names (or from \
            --credentials) or, for a CredSpec without HostAccountConfig, uses this host's computer \
            account (its machine keytab), logs in to the domain, reads the managed passwords over a sealed LDAP \
            bind (or LDAPS), derives the keys, writes a keytab and obtains a TGT for the first \
            account with them. Prints what it did; never a secret.
            """)

    @Option(name: .customLong("credspec"), help: "The CredSpec file (JSON, as Windows writes it).")
    var credSpecPath: String

    @Option(
        name: .customLong("credentials"),
        help: "Read the portable user's credentials from this file (JSON, DOMAIN\\user:password or user@domain:password) instead of the CredSpec's plug-in.")
    var credentialsPath: String?

    @Option(help: "The host's computer account keytab for a domain-joined read (default: the [domain] section's machine-keytab, else /etc/krb5.keytab).")
    var machineKeytab: String?

    @Option(help: "The computer account's principal (default: the [domain] section's machine-principal, else <SHORT HOST NAME>$@REALM).")
    var machinePrincipal: String?

    @OptionGroup var configuration: ConfigurationOptions

    @OptionGroup var connection: DomainConnectionOptions

    @Option(help: "Where to write the keytab.")
    var keytab = "krb5.keytab"

    @Option(help: "Where to write the ticket cache of the first account ('' for none).")
    var ccache = "krb5cc"

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let spec: CredentialSpec
        do { spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: credSpecPath)) } catch {
            throw CommandFailure(.failure, "\(credSpecPath): \(error)")
        }
        let service = try configuration.load()
        let settings = try await BlockingWork(label: "ccgctl.directory").run { [connection] in
            var settings = try connection.settings(realm: spec.realm, dnsDomain: spec.dnsDomain, service: service)
            // A hung DC first in line would cost every step its timeout (libkrb5: 10 s each).
            settings.controllers = ControllerProber.answeringFirst(settings.controllers, timeout: 1)
            return settings
        }
        // The Kerberos configuration must be in place before any Kerberos call.
        let scratch = try TemporaryDirectory()
        try connection.useKerberosConfiguration(realm: spec.realm, dnsDomain: spec.dnsDomain, settings: settings, scratch: scratch)

        let login: DomainLogin
        if let credentialsPath {
            login = .portableUser(try FilePlugin.read(credentialsFile: credentialsPath))
        } else if let host = DirectoryReader.of(spec, domain: settings).portableUser {
            login = .portableUser(try await PluginRegistry(configuration: service).credentials(for: host))
        } else {
            let machine = MachineAccount(keytab: machineKeytab ?? settings.machine.keytab, principal: machinePrincipal ?? settings.machine.principal)
            login = .machine(principal: machine.principal(realm: spec.realm), keytab: machine.keytab)
        }

        let fetcher = ManagedAccountFetcher(settings: settings)
        // Every account logs in with its keys (the KDC's confirmation, at once for all of them).
        let scratchPath = scratch.path
        let (result, confirmed) = try fetcher.fetch(
            accounts: spec.accounts, realm: spec.realm, dnsDomain: spec.dnsDomain, netBiosName: spec.domainJoinConfig.netBiosName,
            login: login, confirmingWith: { account throws(AccountFetchError) in try AccountCredentials.make(account, scratch: scratchPath) })
        try CredentialFiles.writeKeytab(for: result.accounts, to: keytab, ownership: .privateToCaller)
        if !ccache.isEmpty {
            try confirmed[0].ticketCache.withUnsafeBytes { try AtomicFile.write($0, to: ccache, ownership: .privateToCaller) }
        }
        let ticket = ccache.isEmpty ? nil : confirmed[0].ticket
        let report = FetchReport(
            spec: spec, result: result, settings: settings, keytabPath: keytab,
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
            throw CommandFailure(.failure, "cannot create a temporary directory in \(NSTemporaryDirectory()); check TMPDIR.")
        }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

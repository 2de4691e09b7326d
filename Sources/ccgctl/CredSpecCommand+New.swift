import ArgumentParser
import CCGPlugin
import Configuration
import CredSpec
import JSON
import DomainModel
import FilePlugin
import Foundation
import OperatorTools
import DirectoryPipeline
import PluginHost
import SystemSupport

extension CredSpecCommand {
    /// `ccgctl credspec new`: New-CredentialSpec, reading the domain's facts over LDAP.
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a CredSpec for gMSAs from the directory, as New-CredentialSpec does.",
            discussion: """
                Logs in as the user of --credentials, reads the domain's SID, GUID, DNS, NetBIOS and \
                forest names from a domain controller, checks that every account is a gMSA (without \
                reading its password: that user need not be allowed to retrieve it) and writes the \
                CredSpec to <directory>/<NAME>.json, mode 0644 (0600 when the plug-in input is the \
                inline plug-in's password). By default the CredSpec names the file plug-in with the \
                --credentials file, so ccgd can use it as it is. Prints what it wrote; never a secret.
                """)

        @Argument(help: "The gMSA the container acts as, e.g. WebApp01 (a trailing $ is allowed).")
        var account: String

        @Option(name: .customLong("additional-account"), help: ArgumentHelp("Another gMSA the container may act as. Repeat for more.", valueName: "NAME"))
        var additionalAccounts: [String] = []

        @Option(help: ArgumentHelp("The domain's DNS name, e.g. contoso.com. Default: the only [domain] section of the configuration.", valueName: "DNS-NAME"))
        var domain: String?

        @Option(
            name: .customLong("credentials"),
            help: ArgumentHelp(
                "The credentials of a user who may read the directory (JSON, DOMAIN\\user:password or user@domain:password). Default: ask the CredSpec's plug-in.",
                valueName: "FILE"))
        var credentialsPath: String?

        @Option(
            name: .customLong("plugin-guid"),
            help: ArgumentHelp(
                "The plug-in that gives ccgd the portable user's credentials. Default: the file plug-in, {\(FilePlugin.guid)}.", valueName: "GUID"))
        var pluginGUID: String?

        @Option(
            name: .customLong("plugin-input"),
            help: ArgumentHelp(
                "What the plug-in receives: a string, or a JSON object when it starts with {. Default: the absolute path of --credentials.", valueName: "INPUT")
        )
        var pluginInput: String?

        @Flag(
            help:
                "Write no HostAccountConfig: a domain-joined host reads the passwords with its own computer account. Without --credentials, the directory is read as that account too."
        )
        var domainJoined = false

        @Option(
            help: ArgumentHelp(
                "With --domain-joined: the computer account's keytab. Default: the [domain] section's machine-keytab, else /etc/krb5.keytab.", valueName: "FILE"
            ))
        var machineKeytab: String?

        @Option(
            help: ArgumentHelp(
                "With --domain-joined: the computer account's principal. Default: the [domain] section's machine-principal, else <SHORT HOST NAME>$@REALM.",
                valueName: "PRINCIPAL"))
        var machinePrincipal: String?

        @Option(help: ArgumentHelp("The CredSpec's name, for ccgctl lease create --credspec NAME. Default: the first account's name.", valueName: "NAME"))
        var name: String?

        @Option(help: ArgumentHelp("The CredSpec directory. Default: [daemon] credspec-directory of the configuration.", valueName: "DIRECTORY"))
        var directory: String?

        @Option(help: ArgumentHelp("Write to this file instead of the CredSpec directory ('-' for standard output).", valueName: "FILE"))
        var path: String?

        @Flag(help: "Replace an existing file.")
        var force = false

        @OptionGroup var configuration: ConfigurationOptions

        @OptionGroup var connection: DomainConnectionOptions

        /// Where the CredSpec goes.
        private enum Destination {
            case file(String)
            case standardOutput
            /// NAME.json in the directory, NAME defaulting to the first account as the directory spells it.
            case directory(String, name: String?)

            func path(primaryAccount: String) -> String? {
                switch self {
                case let .file(path): path
                case .standardOutput: nil
                case let .directory(directory, name): directory + "/" + (name ?? primaryAccount) + ".json"
                }
            }
        }

        func run() async throws {
            let service = try configuration.load()
            let dnsDomain = try domainName(service)
            let realm = dnsDomain.uppercased()
            let destination = try self.destination(service)
            // Refuse before any network traffic; the write itself refuses atomically.
            if !force, let early = destination.path(primaryAccount: AccountName(account).bare),
                FileManager.default.fileExists(atPath: early)
            {
                throw CredSpecCreationError.fileExists(path: early)
            }
            let credentialsFile = credentialsPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            if domainJoined && (pluginGUID != nil || pluginInput != nil) {
                throw ValidationError("--domain-joined writes no HostAccountConfig, so it takes no --plugin-guid or --plugin-input; drop one or the other.")
            }
            var order = NewCredentialSpec(
                dnsDomain: dnsDomain, accounts: [account] + additionalAccounts, pluginGUID: try parsedPluginGUID(),
                pluginInput: domainJoined ? .string("") : try parsedPluginInput(credentialsFile: credentialsFile))
            order.domainJoined = domainJoined
            if case .standardOutput = destination, order.pluginGUID == NewCredentialSpec.inlinePluginGUID {
                throw ValidationError(
                    "the inline plug-in's input is a password, which ccgctl does not print; write the CredSpec to a file (mode 0600) with --path or --name.")
            }

            let blocking = BlockingWork(label: "ccgctl.directory")
            let settings = try await blocking.run { [connection] in try connection.settings(realm: realm, dnsDomain: dnsDomain, service: service) }
            // The Kerberos configuration must be in place before any Kerberos call.
            let scratch = try TemporaryDirectory()
            try connection.useKerberosConfiguration(realm: realm, dnsDomain: dnsDomain, settings: settings, scratch: scratch)
            let login: DomainLogin
            if let credentialsFile {
                login = .portableUser(try FilePlugin.read(credentialsFile: credentialsFile))
            } else if domainJoined {
                let machine = MachineAccount(keytab: machineKeytab ?? settings.machine.keytab, principal: machinePrincipal ?? settings.machine.principal)
                login = .machine(principal: machine.principal(realm: realm), keytab: machine.keytab)
            } else {
                do {
                    login = .portableUser(
                        try await PluginRegistry(configuration: service)
                            .credentials(guid: order.pluginGUID, pluginInput: order.pluginInput.text))
                } catch {
                    throw CommandFailure(.failure, "\(error) To read the directory as another user, give --credentials FILE.")
                }
            }
            let made = try await blocking.run { [order] in try CredentialSpecAuthor(settings: settings).make(order, login: login) }

            let text = String(decoding: made.spec.jsonData(), as: UTF8.self)
            guard let path = destination.path(primaryAccount: made.spec.primaryAccount) else {
                print(text, terminator: "")
                FileHandle.standardError.write(Data(CredSpecText.report(made, writtenTo: nil).utf8))
                return
            }
            try CredentialSpecFile.write(made.spec, to: path, replacing: force)
            print(CredSpecText.report(made, writtenTo: path), terminator: "")
        }

        private func domainName(_ service: ServiceConfiguration) throws -> String {
            if let domain {
                guard domain.contains("."), !domain.contains(" "), !domain.hasPrefix("."), !domain.hasSuffix(".") else {
                    throw ValidationError("--domain \(domain) is not a DNS domain name; give it like --domain contoso.com.")
                }
                return domain.lowercased()
            }
            let source = service.sourceFile.isEmpty ? "the configuration" : service.sourceFile
            switch service.domains.count {
            case 1: return service.domains[0].realm.lowercased()
            case 0: throw ValidationError("give the domain with --domain (e.g. --domain contoso.com): \(source) has no [domain] section to take it from.")
            default:
                let realms = service.domains.map(\.realm).joined(separator: ", ")
                throw ValidationError("give the domain with --domain: \(source) configures several (\(realms)).")
            }
        }

        private func destination(_ service: ServiceConfiguration) throws -> Destination {
            if let path {
                guard name == nil, directory == nil else {
                    throw ValidationError("give either --path or --name/--directory, not both.")
                }
                return path == "-" ? .standardOutput : .file(path)
            }
            var plainName: String?
            if let name {
                do { plainName = try CredSpecName(name).stem } catch {
                    throw ValidationError("--name \(name) is not a plain file name; give a name like WebApp01.")
                }
            }
            return .directory(directory ?? service.daemon.credSpecDirectory, name: plainName)
        }

        private func parsedPluginGUID() throws -> PluginGUID {
            guard let pluginGUID else { return NewCredentialSpec.defaultPluginGUID }
            guard let guid = PluginGUID(pluginGUID) else {
                throw ValidationError("--plugin-guid \(pluginGUID) is not a GUID; write it like {859E1386-BDB4-49E8-85C7-3070B13920E1}.")
            }
            // Spelt as the registry and ccgctl plugin list spell it.
            return PluginGUID(guid.uuid)
        }

        private func parsedPluginInput(credentialsFile: String?) throws -> PluginInput {
            guard let pluginInput else {
                guard let credentialsFile else {
                    throw ValidationError("give --credentials FILE (a user who may read the directory, and the file plug-in's input) or --plugin-input.")
                }
                return .string(credentialsFile)
            }
            guard pluginInput.hasPrefix("{") else { return .string(pluginInput) }
            let value: JSONValue
            do { value = try JSONValue(parsing: pluginInput) } catch {
                throw ValidationError(
                    "--plugin-input starts with { but is not JSON at character \(error.column) (\(error.problem)); write a JSON object or a string that does not start with {."
                )
            }
            guard case let .object(object) = value else {
                throw ValidationError("--plugin-input starts with { but is not a JSON object; write a JSON object or a string that does not start with {.")
            }
            return .object(object)
        }
    }
}

import CredSpec
import Directory
import FilePlugin
import FoundationEssentials
import InlinePlugin

/// What `New-CredentialSpec` is asked for: the accounts, in order (the first is the container's
/// identity), and the plug-in a host outside the domain uses to reach it.
package struct NewCredentialSpec: Sendable, Equatable {
    /// The file plug-in, so that a CredSpec made with a credentials file works with ccgd as it is.
    package static let defaultPluginGUID = PluginGUID(UUID(uuidString: FilePlugin.guid)!)
    /// The inline plug-in, whose input is a password.
    package static let inlinePluginGUID = PluginGUID(UUID(uuidString: InlinePlugin.guid)!)

    /// The domain's DNS name, e.g. `contoso.com`.
    package var dnsDomain: String
    /// gMSA names, with or without their `$`.
    package var accounts: [String]
    package var pluginGUID: PluginGUID
    package var pluginInput: PluginInput
    /// No HostAccountConfig: the host reads the passwords with its own computer account.
    package var domainJoined = false

    package init(dnsDomain: String, accounts: [String], pluginGUID: PluginGUID = defaultPluginGUID, pluginInput: PluginInput) {
        self.dnsDomain = dnsDomain
        self.accounts = accounts
        self.pluginGUID = pluginGUID
        self.pluginInput = pluginInput
    }

    /// The Kerberos realm: the DNS name in uppercase.
    package var realm: String { dnsDomain.uppercased() }

    /// The CredSpec these facts make: `accounts` are the directory's spellings (with or without
    /// `$`), the first being the primary identity and the domain's `MachineAccountName`.
    package func credentialSpec(facts: DomainFacts, accounts: [String]) throws(CredSpecCreationError) -> CredentialSpec {
        guard let primary = accounts.first else {
            throw .invalid(.invalid(field: "ActiveDirectoryConfig.GroupManagedServiceAccounts", value: .array([]), reason: .noAccounts))
        }
        guard let guid = UUID(uuidString: facts.guid) else {
            throw .invalid(.invalid(field: "DomainJoinConfig.Guid", value: .string(facts.guid), reason: .notADomainGUID))
        }
        let domain = DomainJoinConfig(
            sid: facts.sid.description, machineAccountName: primary, guid: guid, dnsTreeName: facts.forestDNSName,
            dnsName: facts.dnsName, netBiosName: facts.netBiosName)
        do {
            let host = domainJoined ? nil : HostAccountConfig(pluginGUID: pluginGUID, pluginInput: pluginInput)
            return try CredentialSpec(domain: domain, accounts: accounts, hostAccountConfig: host)
        } catch {
            throw .invalid(error)
        }
    }
}

extension CredentialSpec {
    /// Whether the CredSpec carries a password: the inline plug-in's input is one.
    package var holdsSecret: Bool { hostAccountConfig?.pluginGUID == NewCredentialSpec.inlinePluginGUID }
}

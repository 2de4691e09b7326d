import CredSpec
import Foundation

/// The text of a small valid CredSpec (a domain-joined account list and a plug-in's
/// HostAccountConfig, as New-CredentialSpec writes it), with the parts tests vary as properties:
/// tests that need a CredSpec but are not about its syntax build it here rather than inline.
package struct CredSpecJSON: Sendable {
    package var machineAccountName: String
    /// The group managed service accounts, in order (the first is the one a lease is named after).
    package var accounts: [String]
    package var domain: String
    package var netBIOSName = "CONTOSO"
    package var sid = "S-1-5-21-1-2-3"
    package var domainGUID = "f9f13fea-efd2-40e3-9026-b03dcfca0b57"
    /// nil leaves HostAccountConfig out (a domain-joined host's CredSpec).
    package var pluginGUID: String? = "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}"
    package var pluginInput = "/x"

    /// One account, `account`, in `domain`, read by the file plug-in.
    package init(account: String = "WebApp01", domain: String = "contoso.test") {
        machineAccountName = account
        accounts = [account]
        self.domain = domain
    }

    package var text: String {
        let accounts = accounts.map { #"{"Name": \#(Self.quoted($0)), "Scope": \#(Self.quoted(domain))}"# }.joined(separator: ", ")
        let hostAccount =
            pluginGUID.map {
                #", "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": \#(Self.quoted($0)), "PluginInput": \#(Self.quoted(pluginInput))}"#
            } ?? ""
        return """
            {"CmsPlugins": ["ActiveDirectory"],
             "DomainJoinConfig": {"Sid": \(Self.quoted(sid)), "MachineAccountName": \(Self.quoted(machineAccountName)), \
            "Guid": \(Self.quoted(domainGUID)), "DnsTreeName": \(Self.quoted(domain)), "DnsName": \(Self.quoted(domain)), \
            "NetBiosName": \(Self.quoted(netBIOSName))},
             "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [\(accounts)]\(hostAccount)}}
            """
    }

    /// The CredSpec the text reads as.
    package func credentialSpec() throws -> CredentialSpec {
        try CredentialSpec(jsonData: Data(text.utf8))
    }

    /// `value` as a JSON string: quotes, backslashes and control characters escaped.
    static func quoted(_ value: String) -> String {
        var escaped = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\r": escaped += "\\r"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}

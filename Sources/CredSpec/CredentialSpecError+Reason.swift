extension CredentialSpecError {
    /// Why a well-typed value cannot be used; each reason ends with what to do.
    package enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// `PluginGUID` is not a GUID (as in the Windows docs' own sample).
        case notAPluginGUID
        /// `DomainJoinConfig.Guid` is not a GUID.
        case notADomainGUID
        /// `Sid` is not `S-1-5-21-` and three numbers.
        case notADomainSID
        /// A DNS name breaks RFC 1123's rules.
        case notADNSName
        /// `NetBiosName` is too long or has a character NetBIOS names cannot have.
        case notANetBIOSName
        /// An account name is not a gMSA's sAMAccountName.
        case notAnAccountName
        /// A gMSA's Scope names neither the DNS nor the NetBIOS name of the CredSpec's domain.
        case scopeOfAnotherDomain(dnsName: String, netBiosName: String)
        /// `PortableCcgVersion` is not "1".
        case unsupportedPortableCcgVersion
        /// `CmsPlugins` does not list "ActiveDirectory".
        case lacksActiveDirectoryPlugin
        /// `GroupManagedServiceAccounts` is empty.
        case noAccounts

        /// The reason as the end of "<field>: <value> …".
        package var description: String {
            switch self {
            case .notAPluginGUID:
                "is not a GUID (expected 32 hexadecimal digits like {859E1386-BDB4-49E8-85C7-3070B13920E1}); "
                    + "use the GUID of a registered plug-in"
            case .notADomainGUID:
                "is not a GUID (expected 32 hexadecimal digits like f9f13fea-efd2-40e3-9026-b03dcfca0b57); "
                    + "use the domain's ObjectGUID from Get-ADDomain"
            case .notADomainSID:
                "is not a domain SID (expected S-1-5-21- and three numbers, like S-1-5-21-1667864157-1729501337-2726663654); "
                    + "use the domain's DomainSID from Get-ADDomain"
            case .notADNSName:
                "is not a DNS name (expected labels of 1 to 63 letters, digits or hyphens, not starting or ending "
                    + "with a hyphen, joined by dots, 253 characters at most); write the domain's DNS name, like contoso.com"
            case .notANetBIOSName:
                "is not a NetBIOS domain name (expected 1 to 15 characters, none a dot, a control character or one of "
                    + "\\/:*?\"<>|); use the domain's NetBIOSName from Get-ADDomain, like CONTOSO"
            case .notAnAccountName:
                "is not a gMSA name (expected 1 to 15 characters before an optional trailing $, none a space, "
                    + "a control character or one of \"/\\[]:;|=,+*?<>@$); use the account's name, like WebApp01"
            case .scopeOfAnotherDomain(let dnsName, let netBiosName):
                "names another domain, but ccgd serves only accounts of the CredSpec's own domain; "
                    + "use \(dnsName) or \(netBiosName)"
            case .unsupportedPortableCcgVersion:
                "is not a supported version; set it to \"1\""
            case .lacksActiveDirectoryPlugin:
                "does not contain \"ActiveDirectory\"; add \"ActiveDirectory\" to the list"
            case .noAccounts:
                "lists no account; add at least one gMSA with its Name and Scope"
            }
        }
    }
}

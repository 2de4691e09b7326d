import CCGPlugin
import FoundationEssentials
import Glibc

/// The names the portable user goes by: its Kerberos principal and its LDAP simple-bind name.
package struct PortableUser: Sendable {
    package let principal: String
    package let bindName: String

    /// Plug-ins return the domain as a DNS name, a NetBIOS name or a realm, and sometimes put it
    /// in the user name (`DOMAIN\user`, `user@domain`); all mean the same account.
    package init(_ credential: DomainCredential, realm: String, dnsDomain: String, netBiosName: String?) {
        var user = credential.username
        var domain = credential.domainName
        if let backslash = user.firstIndex(of: "\\") {
            domain = String(user[..<backslash])
            user = String(user[user.index(after: backslash)...])
        } else if let at = user.lastIndex(of: "@") {
            domain = String(user[user.index(after: at)...])
            user = String(user[..<at])
        }
        let lower = domain.lowercased()
        let isThisDomain =
            lower == dnsDomain.lowercased() || lower == realm.lowercased()
            || netBiosName.map { lower == $0.lowercased() } ?? false
        let userRealm = isThisDomain ? realm : domain.uppercased()
        principal = "\(user)@\(userRealm)"
        bindName = "\(user)@\(isThisDomain ? dnsDomain.lowercased() : domain.lowercased())"
    }
}

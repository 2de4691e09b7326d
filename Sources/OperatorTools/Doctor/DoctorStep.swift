/// The links of the chain `ccgctl doctor` checks, in the order ccgd goes through them.
package enum DoctorStep: String, Sendable, CaseIterable {
    case configuration
    case parse
    case plugin = "plug-in"
    case discovery = "DC discovery"
    case kdcReachability = "KDC reachability"
    case ldapReachability = "LDAP reachability"
    case portableUserLogin = "portable-user login"
    case bind = "sealed LDAP bind"
    case permission = "password permission"
    case blob
    case keys
    case managedAccountLogin = "gMSA TGT"
    case serviceTicket = "service ticket"

    /// What an operator reads (the bind step is "LDAPS bind" when the domain uses LDAPS).
    package var name: String { rawValue }

    /// A stable key for scripts.
    package var identifier: String {
        switch self {
        case .configuration: "configuration"
        case .parse: "parse"
        case .plugin: "plugin"
        case .discovery: "discovery"
        case .kdcReachability: "kdc-reachability"
        case .ldapReachability: "ldap-reachability"
        case .portableUserLogin: "portable-user-login"
        case .bind: "ldap-bind"
        case .permission: "password-permission"
        case .blob: "blob"
        case .keys: "keys"
        case .managedAccountLogin: "gmsa-tgt"
        case .serviceTicket: "service-ticket"
        }
    }
}

import CCGPlugin
import FoundationEssentials
import Glibc

/// The host's own computer account, as a domain join (realm, adcli, `net ads join`) leaves it: a
/// keytab and the principal whose keys it holds. A domain-joined host reads gMSA passwords with it.
package struct MachineAccount: Sendable, Equatable {
    /// The keytab file; read once per login, with the daemon's rights, into memory.
    package var keytab: String
    /// nil: `<SHORT HOST NAME>$@REALM`, as AD names a computer.
    package var principal: String?

    package init(keytab: String = "/etc/krb5.keytab", principal: String? = nil) {
        self.keytab = keytab
        self.principal = principal
    }

    /// The principal to log in as in `realm`.
    package func principal(realm: String) -> String {
        principal ?? Self.defaultPrincipal(hostName: Self.hostName(), realm: realm)
    }

    /// AD's computer name: the host name's first label, upper-cased and cut to 15 characters (NetBIOS).
    package static func defaultPrincipal(hostName: String, realm: String) -> String {
        let short = hostName.split(separator: ".").first.map(String.init) ?? hostName
        return String(short.uppercased().prefix(15)) + "$@" + realm.uppercased()
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// How the host logs in to read the passwords: as the portable user a plug-in named, or as itself.
package enum DomainLogin: Sendable {
    case portableUser(DomainCredential)
    case machine(principal: String, keytab: String)
}

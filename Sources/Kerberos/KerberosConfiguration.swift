/// A krb5.conf, rendered from what ccgd knows about its domains. The daemon writes one for
/// itself (libkrb5 and GSS-API read the process's KRB5_CONFIG) and one into every lease.
package struct KerberosConfiguration: Sendable, Equatable {
    /// One realm and where its KDCs are.
    package struct Realm: Sendable, Equatable {
        package var name: String
        /// DNS name of the domain, mapped to the realm in [domain_realm].
        package var dnsDomain: String
        /// `host` or `host:port`; empty means find them with DNS SRV records.
        package var kdcs: [String]

        package init(name: String, dnsDomain: String, kdcs: [String]) {
            self.name = name
            self.dnsDomain = dnsDomain
            self.kdcs = kdcs
        }
    }

    package var defaultRealm: String
    package var realms: [Realm]
    /// Inside a container: where its tickets and keys are, so no environment variable is needed.
    package var defaultCredentialsCache: String?
    package var defaultKeytab: String?

    package init(defaultRealm: String, realms: [Realm], defaultCredentialsCache: String? = nil, defaultKeytab: String? = nil) {
        self.defaultRealm = defaultRealm
        self.realms = realms
        self.defaultCredentialsCache = defaultCredentialsCache
        self.defaultKeytab = defaultKeytab
    }

    /// The file's text.
    package func rendered() -> String {
        let usesDNS = realms.contains { $0.kdcs.isEmpty }
        var text = """
            # Written by ccgd.
            [libdefaults]
            \tdefault_realm = \(defaultRealm)
            \tdns_lookup_realm = false
            \tdns_lookup_kdc = \(usesDNS)
            \trdns = false
            \tdns_canonicalize_hostname = false
            \t# AS replies with a PAC exceed a UDP datagram: TCP first saves a round trip.
            \tudp_preference_limit = 1

            """
        if let defaultCredentialsCache { text += "\tdefault_ccache_name = FILE:\(defaultCredentialsCache)\n" }
        if let defaultKeytab {
            text += "\tdefault_keytab_name = FILE:\(defaultKeytab)\n"
            text += "\tdefault_client_keytab_name = FILE:\(defaultKeytab)\n"
        }
        text += "\n[realms]\n"
        for realm in realms {
            text += "\t\(realm.name) = {\n"
            for kdc in realm.kdcs { text += "\t\tkdc = \(kdc)\n" }
            text += "\t}\n"
        }
        text += "\n[domain_realm]\n"
        for realm in realms {
            text += "\t.\(realm.dnsDomain.lowercased()) = \(realm.name)\n"
            text += "\t\(realm.dnsDomain.lowercased()) = \(realm.name)\n"
        }
        return text
    }
}

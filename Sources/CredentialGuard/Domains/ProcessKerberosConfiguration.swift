import DurableFiles
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Kerberos

/// libkrb5 and GSS-API read one Kerberos configuration per process (KRB5_CONFIG); ccgd writes
/// it from its domain settings and points the variable at it once, before any thread starts.
public enum ProcessKerberosConfiguration {
    /// The configuration for `realm` whose KDCs are its domain controllers (AD DCs are KDCs).
    public static func make(realm: String, dnsDomain: String, settings: DomainSettings) -> KerberosConfiguration {
        let kdcs = settings.controllers.map { controller in
            let host = controller.address ?? controller.hostName
            return host.contains(":") ? "[\(host)]:88" : "\(host):88"
        }
        return KerberosConfiguration(defaultRealm: realm, realms: [.init(name: realm, dnsDomain: dnsDomain, kdcs: kdcs)])
    }

    /// Writes `configuration` to `path` (0644: it holds no secret) and makes it the process's.
    public static func install(_ configuration: KerberosConfiguration, at path: String) throws {
        try AtomicFile.write(Array(configuration.rendered().utf8), to: path, ownership: FileOwnership(mode: 0o644))
        use(path)
    }

    /// Makes the existing file at `path` the process's Kerberos configuration.
    public static func use(_ path: String) {
        setenv("KRB5_CONFIG", path, 1)
    }
}

import DurableFiles
import FoundationEssentials
import Glibc
import Kerberos

/// libkrb5 and GSS-API read one Kerberos configuration per process (KRB5_CONFIG, read again by
/// libkrb5 whenever the file changes): ccgd and ccgctl point the variable at a file of theirs
/// once, before any Kerberos work, and afterwards only rewrite that file.
package enum ProcessKerberosConfiguration {
    /// The configuration for `realm` whose KDCs are its domain controllers (AD DCs are KDCs).
    package static func make(realm: String, dnsDomain: String, settings: DomainSettings) -> KerberosConfiguration {
        let kdcs = settings.controllers.map { controller in
            let host = controller.address ?? controller.hostName
            return host.contains(":") ? "[\(host)]:88" : "\(host):88"
        }
        return KerberosConfiguration(defaultRealm: realm, realms: [.init(name: realm, dnsDomain: dnsDomain, kdcs: kdcs)])
    }

    /// Writes `configuration` to `path` (0644: it holds no secret).
    package static func write(_ configuration: KerberosConfiguration, at path: String) throws {
        try AtomicFile.write(Array(configuration.rendered().utf8), to: path, ownership: FileOwnership(mode: 0o644))
    }

    /// Makes the file at `path` the process's Kerberos configuration. The one `setenv` of ccgd:
    /// call it once, before any thread that may read the environment (libkrb5, GSS-API) runs.
    package static func point(at path: String) {
        setenv("KRB5_CONFIG", path, 1)
    }

    /// Runs `body` with the process's Kerberos configuration as it chooses, then puts the one
    /// before back: for a tool run inside a process that has its own (the doctor in the tests).
    package static func keepingCurrent<T>(_ body: () async throws -> T) async rethrows -> T {
        let previous = getenv("KRB5_CONFIG").map { String(cString: $0) }
        defer { if let previous { setenv("KRB5_CONFIG", previous, 1) } else { unsetenv("KRB5_CONFIG") } }
        return try await body()
    }

    /// A tool's configuration for `realm`: `file` as it is when given, else one naming the DCs of
    /// `settings` as KDCs, written in `scratch`; pointed at once. Returns the file used.
    @discardableResult
    package static func useForTool(
        file: String?, realm: String, dnsDomain: String, settings: DomainSettings,
        scratch: String
    ) throws -> String {
        if let file {
            point(at: file)
            return file
        }
        let path = scratch + "/krb5.conf"
        try write(make(realm: realm, dnsDomain: dnsDomain, settings: settings), at: path)
        point(at: path)
        return path
    }
}

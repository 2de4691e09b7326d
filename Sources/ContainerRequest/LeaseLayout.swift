/// Where a lease's files are: their names in the lease directory, and their paths inside the
/// container that mounts it. ccgd writes the directory and the krb5.conf naming these paths, the
/// socket API tells clients of them, and the OCI hook mounts them: one definition for all.
public struct LeaseLayout: Sendable, Equatable {
    /// The keytab of every account of the lease.
    public static let keytab = "krb5.keytab"
    /// The primary account's ticket cache (other accounts' are `krb5cc-<account>`).
    public static let ticketCache = "krb5cc"
    /// The Kerberos configuration naming the ticket cache and keytab at their in-container paths.
    public static let kerberosConfiguration = "krb5.conf"
    /// Where the lease directory appears inside the container unless the request names another place.
    public static let defaultMountPath = "/var/run/ccgd"
    /// The container's own krb5.conf, which the lease's replaces (unless io.ccgd.krb5conf=none).
    public static let containerKerberosConfiguration = "/etc/krb5.conf"

    /// The lease directory's place inside the container, without a trailing slash.
    public let mountPath: String

    public init(mountPath: String = LeaseLayout.defaultMountPath) {
        self.mountPath = mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath
    }

    public var keytabPath: String { mountPath + "/" + Self.keytab }
    public var ticketCachePath: String { mountPath + "/" + Self.ticketCache }
    public var kerberosConfigurationPath: String { mountPath + "/" + Self.kerberosConfiguration }

    /// The environment that points Kerberos in the container at the lease's files.
    public var environment: [String: String] {
        [
            "KRB5CCNAME": "FILE:" + ticketCachePath,
            "KRB5_KTNAME": "FILE:" + keytabPath,
            "KRB5_CLIENT_KTNAME": "FILE:" + keytabPath,
            "KRB5_CONFIG": kerberosConfigurationPath,
        ]
    }
}

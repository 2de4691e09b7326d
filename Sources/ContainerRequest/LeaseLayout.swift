/// Where a lease's files are: their names in the lease directory, and their paths inside the
/// container that mounts it. ccgd writes the directory and the krb5.conf naming these paths, the
/// socket API tells clients of them, and the OCI hook mounts them: one definition for all.
package struct LeaseLayout: Sendable, Equatable {
    /// The keytab of every account of the lease.
    package static let keytab = "krb5.keytab"
    /// The primary account's ticket cache (other accounts' are `krb5cc-<account>`).
    package static let ticketCache = "krb5cc"
    /// The Kerberos configuration naming the ticket cache and keytab at their in-container paths.
    package static let kerberosConfiguration = "krb5.conf"
    /// Where the lease directory appears inside the container unless the request names another place.
    package static let defaultMountPath = "/var/run/ccgd"
    /// The container's own krb5.conf, which the lease's replaces (unless io.ccgd.krb5conf=none).
    package static let containerKerberosConfiguration = "/etc/krb5.conf"

    /// The lease directory's place inside the container, without a trailing slash.
    package let mountPath: String

    package init(mountPath: String = LeaseLayout.defaultMountPath) {
        self.mountPath = mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath
    }

    package var keytabPath: String { mountPath + "/" + Self.keytab }
    package var ticketCachePath: String { mountPath + "/" + Self.ticketCache }
    package var kerberosConfigurationPath: String { mountPath + "/" + Self.kerberosConfiguration }

    /// The environment that points Kerberos in the container at the lease's files.
    package var environment: [String: String] {
        [
            "KRB5CCNAME": "FILE:" + ticketCachePath,
            "KRB5_KTNAME": "FILE:" + keytabPath,
            "KRB5_CLIENT_KTNAME": "FILE:" + keytabPath,
            "KRB5_CONFIG": kerberosConfigurationPath,
        ]
    }
}

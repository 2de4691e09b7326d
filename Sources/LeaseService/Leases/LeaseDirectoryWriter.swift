import SecretMemory

/// Writes one lease's directory; built on the actor, run on a blocking thread.
struct LeaseDirectoryWriter: Sendable {
    let directory: LeaseDirectory
    let keytab: SecretBytes
    let caches: [(name: String, bytes: SecretBytes)]
    let kerberosConfiguration: String

    /// Creates or fixes the directory, then replaces each file.
    func write() throws {
        try directory.write(keytab: keytab, ticketCaches: caches, kerberosConfiguration: kerberosConfiguration)
    }

    /// Makes the directory of a new lease.
    func create() throws {
        try directory.create(keytab: keytab, ticketCaches: caches, kerberosConfiguration: kerberosConfiguration)
    }
}

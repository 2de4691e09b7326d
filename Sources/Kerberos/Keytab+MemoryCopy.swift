internal import CKrb5

extension Keytab {
    /// The keys of `principal` read from the keytab file at `path` into a private in-memory keytab:
    /// the file is read once, with the daemon's rights, and its keys stay in this process.
    package static func memoryCopy(ofFile path: String, principal: Principal, context: KerberosContext) throws(KerberosError) -> Keytab {
        let file = try Keytab(path: path, context: context)
        let copy = try Keytab(inMemory: [], context: context)
        var cursor: krb5_kt_cursor?
        let operation = "read the keytab \(path)"
        try context.check(krb5_kt_start_seq_get(context.raw, file.raw, &cursor), operation)
        defer { krb5_kt_end_seq_get(context.raw, file.raw, &cursor) }
        var copied = 0
        var entry = krb5_keytab_entry()
        while krb5_kt_next_entry(context.raw, file.raw, &entry, &cursor) == 0 {
            defer { krb5_free_keytab_entry_contents(context.raw, &entry); entry = krb5_keytab_entry() }
            guard krb5_principal_compare(context.raw, entry.principal, principal.raw) != 0 else { continue }
            try context.check(krb5_kt_add_entry(context.raw, copy.raw, &entry), operation)
            copied += 1
        }
        guard copied > 0 else {
            throw KerberosError(
                kind: .other, operation: operation, code: 0,
                libraryMessage: "the keytab holds no key of \(principal.name); set machine-principal to a principal it holds (klist -k \(path))")
        }
        return copy
    }
}

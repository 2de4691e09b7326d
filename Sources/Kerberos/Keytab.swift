internal import CKrb5
import DurableFiles
import KerberosKeys

/// One key of one principal at one key version.
package struct KeytabEntry: Sendable, Equatable {
    package let principal: String
    package let keyVersionNumber: UInt32
    package let key: KerberosKey

    package init(principal: String, keyVersionNumber: UInt32, key: KerberosKey) {
        self.principal = principal
        self.keyVersionNumber = keyVersionNumber
        self.key = key
    }
}

/// Owns a `krb5_keytab`: a FILE keytab to read, or a MEMORY one to obtain tickets without a file.
package final class Keytab {
    let context: KerberosContext
    let raw: OpaquePointer
    private let isMemory: Bool

    private init(context: KerberosContext, name: String, isMemory: Bool) throws(KerberosError) {
        var keytab: krb5_keytab?
        try context.check(krb5_kt_resolve(context.raw, name, &keytab), "open the keytab \(name)")
        self.context = context
        self.raw = keytab!
        self.isMemory = isMemory
    }

    /// The keytab file at `path`.
    package convenience init(path: String, context: KerberosContext) throws(KerberosError) {
        try self.init(context: context, name: "FILE:\(path)", isMemory: false)
    }

    /// A private in-memory keytab holding `entries`.
    package convenience init(inMemory entries: [KeytabEntry], context: KerberosContext) throws(KerberosError) {
        let name = "MEMORY:ccgd-\(UInt64.random(in: .min ... .max))"
        try self.init(context: context, name: name, isMemory: true)
        try add(entries)
    }

    deinit {
        // MEMORY keytabs outlive a close, process-wide: take the keys out first.
        if isMemory { removeAllEntries() }
        krb5_kt_close(context.raw, raw)
    }

    private func removeAllEntries() {
        var cursor: krb5_kt_cursor?
        var entries: [krb5_keytab_entry] = []
        guard krb5_kt_start_seq_get(context.raw, raw, &cursor) == 0 else { return }
        var entry = krb5_keytab_entry()
        while krb5_kt_next_entry(context.raw, raw, &entry, &cursor) == 0 {
            entries.append(entry)
            entry = krb5_keytab_entry()
        }
        krb5_kt_end_seq_get(context.raw, raw, &cursor)
        for var entry in entries {
            krb5_kt_remove_entry(context.raw, raw, &entry)
            krb5_free_keytab_entry_contents(context.raw, &entry)
        }
    }

    /// Writes `entries` as a new keytab file at `path`, atomically: readers see the old file or the new one.
    package static func write(
        _ entries: [KeytabEntry], to path: String, ownership: FileOwnership, durability: Durability = .synced, context: KerberosContext
    ) throws {
        try AtomicFile.replace(path, ownership: ownership, durability: durability) { temporaryPath in
            let keytab = try Keytab(path: temporaryPath, context: context)
            try keytab.add(entries)
        }
    }

    func add(_ entries: [KeytabEntry]) throws(KerberosError) {
        for entry in entries {
            let principal = try Principal(parsing: entry.principal, context: context)
            let code: krb5_error_code = entry.key.bytes.withUnsafeBytes { keyBytes in
                var keytabEntry = krb5_keytab_entry()
                keytabEntry.principal = principal.raw
                keytabEntry.vno = entry.keyVersionNumber
                keytabEntry.key.enctype = entry.key.encryptionType.rawValue
                keytabEntry.key.length = UInt32(keyBytes.count)
                // libkrb5 copies the key into the keytab; it never writes through this pointer.
                keytabEntry.key.contents = UnsafeMutablePointer(mutating: keyBytes.bindMemory(to: krb5_octet.self).baseAddress)
                return krb5_kt_add_entry(context.raw, raw, &keytabEntry)
            }
            try context.check(code, "add the \(entry.key.encryptionType.name) key of \(entry.principal) to the keytab")
        }
    }

    /// The principal, kvno and enctype of every entry (no keys), for listings and checks.
    package func listing() throws(KerberosError) -> [(principal: String, keyVersionNumber: UInt32, encryptionType: Int32)] {
        var cursor: krb5_kt_cursor?
        try context.check(krb5_kt_start_seq_get(context.raw, raw, &cursor), "read the keytab")
        defer { krb5_kt_end_seq_get(context.raw, raw, &cursor) }
        var result: [(String, UInt32, Int32)] = []
        var entry = krb5_keytab_entry()
        while krb5_kt_next_entry(context.raw, raw, &entry, &cursor) == 0 {
            var text: UnsafeMutablePointer<CChar>?
            if krb5_unparse_name(context.raw, entry.principal, &text) == 0, let text {
                result.append((String(cString: text), entry.vno, entry.key.enctype))
                krb5_free_unparsed_name(context.raw, text)
            }
            krb5_free_keytab_entry_contents(context.raw, &entry)
        }
        return result
    }
}

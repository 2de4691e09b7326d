internal import CKrb5

/// A service ticket as a service receives it: the acceptor's view, to prove that keys decrypt
/// what the KDC encrypted for them (a wrong salt or enctype passes no other check so plainly).
package struct ServiceTicket: Sendable {
    /// The ticket as the KDC encoded it (its encrypted part is readable only with the service's key).
    package let encoded: [UInt8]
    package let server: String
    /// The key the KDC encrypted it with: its enctype number and kvno.
    package let encryptionType: Int32
    package let keyVersionNumber: UInt32
}

extension KerberosContext {
    /// Asks the KDC for a ticket to `server` with the TGT in `cache` (and stores it there).
    package func obtainServiceTicket(for server: Principal, from cache: CredentialsCache) throws(KerberosError) -> ServiceTicket {
        try serviceTicket(for: server, from: cache, options: 0, operation: "obtain a service ticket for \(server.name)")
    }

    /// The ticket to `server` already stored in `cache` (never asks the KDC).
    package func storedServiceTicket(for server: Principal, in cache: CredentialsCache) throws(KerberosError) -> ServiceTicket {
        try serviceTicket(for: server, from: cache, options: KRB5_GC_CACHED, operation: "find a ticket for \(server.name) in \(cache.name)")
    }

    private func serviceTicket(
        for server: Principal, from cache: CredentialsCache, options: Int32,
        operation: String
    ) throws(KerberosError) -> ServiceTicket {
        var wanted = krb5_creds()
        try check(krb5_cc_get_principal(raw, cache.raw, &wanted.client), operation)
        defer { krb5_free_principal(raw, wanted.client) }
        wanted.server = server.raw
        var obtained: UnsafeMutablePointer<krb5_creds>?
        try check(krb5_get_credentials(raw, krb5_flags(options), cache.raw, &wanted, &obtained), operation)
        defer { krb5_free_creds(raw, obtained) }
        let data = obtained!.pointee.ticket
        let encoded = data.length == 0 ? [] : Array(UnsafeRawBufferPointer(start: data.data, count: Int(data.length)))
        var decoded: UnsafeMutablePointer<krb5_ticket>?
        try check(krb5_decode_ticket(&obtained!.pointee.ticket, &decoded), operation)
        defer { krb5_free_ticket(raw, decoded) }
        return ServiceTicket(
            encoded: encoded, server: server.name, encryptionType: decoded!.pointee.enc_part.enctype,
            keyVersionNumber: decoded!.pointee.enc_part.kvno)
    }

    /// Decrypts `ticket` with the matching key of `keytab` (its enctype and kvno), as an acceptor
    /// does, and returns the client it was issued to. Ticket times are not checked.
    @discardableResult
    package func decrypt(_ ticket: ServiceTicket, with keytab: Keytab) throws(KerberosError) -> String {
        let operation = "decrypt the \(ticket.server) ticket (enctype \(ticket.encryptionType), kvno \(ticket.keyVersionNumber)) with the keytab"
        var decoded: UnsafeMutablePointer<krb5_ticket>?
        let code = ticket.encoded.withUnsafeBytes { bytes -> krb5_error_code in
            var data = krb5_data(
                magic: 0, length: UInt32(bytes.count),
                data: UnsafeMutablePointer(mutating: bytes.bindMemory(to: CChar.self).baseAddress))
            return krb5_decode_ticket(&data, &decoded)
        }
        try check(code, operation)
        defer { krb5_free_ticket(raw, decoded) }
        try check(krb5_server_decrypt_ticket_keytab(raw, keytab.raw, decoded), operation)
        var text: UnsafeMutablePointer<CChar>?
        try check(krb5_unparse_name(raw, decoded!.pointee.enc_part2.pointee.client, &text), operation)
        defer { krb5_free_unparsed_name(raw, text) }
        return String(cString: text!)
    }
}

internal import CKrb5
import FoundationEssentials
import KerberosKeys
import SecretMemory
import Glibc

/// The AS exchange: a ticket-granting ticket from a password or from keys.
extension KerberosContext {
    /// Logs `client` in with `password` (UTF-8) and stores the TGT in `cache`.
    package func obtainTicket(
        for client: Principal, password: SecretBytes, into cache: CredentialsCache
    ) throws(KerberosError) -> TicketTimes {
        let operation = "obtain a ticket for \(client.name) with its password"
        let isValid = password.withUnsafeBytes { !$0.contains(0) }
        guard isValid, password.count > 0 else {
            throw KerberosError(
                kind: .badInput, operation: operation, code: 0,
                libraryMessage: "the password is empty or contains a NUL character")
        }
        // libkrb5 wants a C string: the password and a NUL, in wiped storage (the buffer starts zeroed).
        let cString = SecretBytes(count: password.count + 1) { destination in
            password.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: destination[0..<password.count]).copyMemory(from: $0) }
        }
        return try cString.withUnsafeBytes { cString throws(KerberosError) in
            try withInitialCredentialsOptions(cache: cache, operation: operation) { options, credentials in
                krb5_get_init_creds_password(
                    raw, &credentials, client.raw, cString.baseAddress!.assumingMemoryBound(to: CChar.self),
                    nil, nil, 0, nil, options)
            }
        }
    }

    /// Obtains a TGT for `client` with its keys from `keytab` and stores it in `cache`; with
    /// `lifetime` (seconds) it asks for a ticket that lives no longer (the KDC may give less).
    /// `optimistic`: the first request already carries an encrypted timestamp (keys need no salt
    /// from the KDC), saving the round trip that would fetch the KDC's PREAUTH_REQUIRED.
    package func obtainTicket(
        for client: Principal, keytab: Keytab, into cache: CredentialsCache, lifetime: Int32? = nil, optimistic: Bool = false
    ) throws(KerberosError) -> TicketTimes {
        try withInitialCredentialsOptions(cache: cache, operation: "obtain a ticket for \(client.name) with its keys") { options, credentials in
            if let lifetime { krb5_get_init_creds_opt_set_tkt_life(options, lifetime) }
            var encryptedTimestamp = krb5_preauthtype(KRB5_PADATA_ENC_TIMESTAMP)
            if optimistic { krb5_get_init_creds_opt_set_preauth_list(options, &encryptedTimestamp, 1) }
            return krb5_get_init_creds_keytab(raw, &credentials, client.raw, keytab.raw, 0, nil, options)
        }
    }

    private func withInitialCredentialsOptions(
        cache: CredentialsCache, operation: String,
        _ exchange: (UnsafeMutablePointer<krb5_get_init_creds_opt>?, inout krb5_creds) -> krb5_error_code
    ) throws(KerberosError) -> TicketTimes {
        var options: UnsafeMutablePointer<krb5_get_init_creds_opt>?
        try check(krb5_get_init_creds_opt_alloc(raw, &options), operation)
        defer { krb5_get_init_creds_opt_free(raw, options) }
        // libkrb5 initialises the cache with the client and stores the TGT there itself.
        try check(krb5_get_init_creds_opt_set_out_ccache(raw, options, cache.raw), operation)
        var credentials = krb5_creds()
        try check(exchange(options, &credentials), operation)
        defer { krb5_free_cred_contents(raw, &credentials) }
        let times = credentials.times
        func date(_ t: krb5_timestamp) -> Date { Date(timeIntervalSince1970: TimeInterval(UInt32(bitPattern: t))) }
        return TicketTimes(
            authTime: date(times.authtime),
            startTime: date(times.starttime != 0 ? times.starttime : times.authtime),
            endTime: date(times.endtime),
            renewUntil: times.renew_till != 0 ? date(times.renew_till) : nil)
    }
}

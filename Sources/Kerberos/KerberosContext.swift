internal import CKrb5

/// Owns a `krb5_context`. Not thread-safe (libkrb5 contexts are not): use one per task and
/// never on the event loop or the Swift concurrency pool, since its calls block on the network.
package final class KerberosContext {
    let raw: krb5_context

    /// A context configured by `configurationFile` (a krb5.conf), or by the usual
    /// `KRB5_CONFIG`/`/etc/krb5.conf` when nil.
    package init(configurationFile: String? = nil) throws(KerberosError) {
        var context: krb5_context?
        var code: krb5_error_code
        if let configurationFile {
            var profile: OpaquePointer?
            let status = profile_init_path(configurationFile, &profile)
            guard status == 0, let profile else {
                throw KerberosError(
                    kind: .realmUnknown, operation: "read the Kerberos configuration \(configurationFile)",
                    code: Int32(truncatingIfNeeded: status), libraryMessage: "the file is missing or malformed")
            }
            defer { profile_release(profile) }
            code = krb5_init_context_profile(profile, 0, &context)
        } else {
            code = krb5_init_context(&context)
        }
        guard code == 0, let context else {
            throw KerberosError(
                kind: .other, operation: "initialise Kerberos", code: code,
                libraryMessage: "krb5_init_context failed with code \(code)")
        }
        raw = context
    }

    deinit { krb5_free_context(raw) }

    /// Turns a libkrb5 status into a `KerberosError` carrying libkrb5's own message.
    func error(_ code: krb5_error_code, _ operation: String) -> KerberosError {
        let message: String
        if let text = krb5_get_error_message(raw, code) {
            message = String(cString: text)
            krb5_free_error_message(raw, text)
        } else {
            message = "error \(code)"
        }
        return KerberosError(kind: KerberosError.classify(code), operation: operation, code: code, libraryMessage: message)
    }

    func check(_ code: krb5_error_code, _ operation: @autoclosure () -> String) throws(KerberosError) {
        if code != 0 { throw error(code, operation()) }
    }
}

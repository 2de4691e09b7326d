internal import CKrb5

/// Owns a `krb5_principal`.
package final class Principal {
    let context: KerberosContext
    let raw: krb5_principal

    /// Parses `name` (`user@REALM`, `host/name@REALM`); a name without a realm gets the default realm.
    package init(parsing name: String, context: KerberosContext) throws(KerberosError) {
        var principal: krb5_principal?
        try context.check(krb5_parse_name(context.raw, name, &principal), "parse the principal name \"\(name)\"")
        guard let principal else { throw context.error(KRB5_PARSE_MALFORMED_CODE, "parse the principal name \"\(name)\"") }
        self.context = context
        self.raw = principal
    }

    deinit { krb5_free_principal(context.raw, raw) }

    /// The principal's canonical text, e.g. `WebApp01$@CONTOSO.TEST`.
    package var name: String {
        var text: UnsafeMutablePointer<CChar>?
        guard krb5_unparse_name(context.raw, raw, &text) == 0, let text else { return "?" }
        defer { krb5_free_unparsed_name(context.raw, text) }
        return String(cString: text)
    }

    /// The realm part.
    package var realm: String {
        let data = raw.pointee.realm
        guard data.length > 0, let bytes = data.data else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(data.length)), as: UTF8.self)
    }
}

let KRB5_PARSE_MALFORMED_CODE = krb5_error_code(truncatingIfNeeded: Int(KRB5_PARSE_MALFORMED))

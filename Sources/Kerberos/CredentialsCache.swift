internal import CKrb5

/// Owns a `krb5_ccache`. Memory caches are destroyed when released (libkrb5 keeps MEMORY
/// caches process-wide after a mere close, so closing would leak tickets).
package final class CredentialsCache {
    let context: KerberosContext
    let raw: OpaquePointer
    private let destroyOnRelease: Bool

    private init(context: KerberosContext, raw: OpaquePointer, destroyOnRelease: Bool) {
        self.context = context
        self.raw = raw
        self.destroyOnRelease = destroyOnRelease
    }

    /// A new, uniquely named in-memory cache: no file, no environment variable.
    package static func newInMemory(context: KerberosContext) throws(KerberosError) -> CredentialsCache {
        var cache: krb5_ccache?
        try context.check(krb5_cc_new_unique(context.raw, "MEMORY", nil, &cache), "create an in-memory credentials cache")
        return CredentialsCache(context: context, raw: cache!, destroyOnRelease: true)
    }

    /// The cache stored in the file at `path` (created when tickets are stored).
    package static func file(at path: String, context: KerberosContext) throws(KerberosError) -> CredentialsCache {
        var cache: krb5_ccache?
        try context.check(krb5_cc_resolve(context.raw, "FILE:\(path)", &cache), "open the credentials cache \(path)")
        return CredentialsCache(context: context, raw: cache!, destroyOnRelease: false)
    }

    deinit {
        if destroyOnRelease { krb5_cc_destroy(context.raw, raw) } else { krb5_cc_close(context.raw, raw) }
    }

    /// The principal the cache belongs to, once it holds tickets.
    package var principalName: String? {
        var principal: krb5_principal?
        guard krb5_cc_get_principal(context.raw, raw, &principal) == 0, let principal else { return nil }
        defer { krb5_free_principal(context.raw, principal) }
        var text: UnsafeMutablePointer<CChar>?
        guard krb5_unparse_name(context.raw, principal, &text) == 0, let text else { return nil }
        defer { krb5_free_unparsed_name(context.raw, text) }
        return String(cString: text)
    }

    /// The full name, e.g. `MEMORY:3yR…`, which GSS-API's credential store accepts.
    package var name: String {
        var text: UnsafeMutablePointer<CChar>?
        guard krb5_cc_get_full_name(context.raw, raw, &text) == 0, let text else { return "" }
        defer { krb5_free_string(context.raw, text) }
        return String(cString: text)
    }
}

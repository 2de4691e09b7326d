internal import CKrb5
internal import CLDAP
import Kerberos
import KerberosKeys
import Glibc

/// What a SASL/GSSAPI bind must negotiate.
package enum SASLProtection: Sendable, Equatable {
    /// Encryption (SSF ≥ 56): what AD needs before it sends a managed password.
    case sealed
    /// Integrity only: AD refuses to send a managed password over it; for diagnostics and tests.
    case signedOnly
}

extension DirectoryConnection {
    /// Binds with GSSAPI using the tickets in `cache` (an in-memory cache works: no environment
    /// variable is touched), negotiating `protection`; returns the security strength factor.
    @discardableResult
    package func bindGSSAPI(credentials cache: CredentialsCache, protection: SASLProtection = .sealed) throws(DirectoryError) -> Int {
        let credential = try GSSCredential(cacheName: cache.name, controller: controller.description)
        let properties = protection == .sealed ? "minssf=56" : "minssf=1,maxssf=1"
        ldap_set_option(raw, LDAP_OPT_X_SASL_SECPROPS, properties)
        let status = BrokenPipe.ignored {
            ldap_sasl_interactive_bind_s(raw, nil, "GSSAPI", nil, nil, UInt32(LDAP_SASL_QUIET), saslInteract, UnsafeMutableRawPointer(credential.raw))
        }
        guard status == LDAP_SUCCESS else {
            let reason = diagnostic(status)
            if status == LDAP_SERVER_DOWN || status == LDAP_TIMEOUT {
                throw .unreachable(controller: controller.description, reason: reason)
            }
            throw .bindRefused(controller: controller.description, mechanism: "GSSAPI", reason: reason)
        }
        var strength: ber_len_t = 0
        ldap_get_option(raw, LDAP_OPT_X_SASL_SSF, &strength)
        if protection == .sealed && strength < 56 {
            throw .notSealed(controller: controller.description, strength: Int(strength))
        }
        boundAs = cache.principalName ?? "the portable user"
        return Int(strength)
    }

    /// A simple bind (`user` as a DN or `user@domain`), allowed only over TLS since it sends the password.
    package func bindSimple(user: String, password: SecretBytes) throws(DirectoryError) {
        guard isTLS else {
            throw .bindRefused(
                controller: controller.description, mechanism: "simple",
                reason: "a simple bind sends the password and is only done over LDAPS")
        }
        let status: Int32 = password.withUnsafeBytes { bytes in
            var credential = berval(
                bv_len: ber_len_t(bytes.count),
                bv_val: UnsafeMutablePointer(mutating: bytes.bindMemory(to: CChar.self).baseAddress))
            return BrokenPipe.ignored { ldap_sasl_bind_s(raw, user, ccgd_ldap_sasl_simple(), &credential, nil, nil, nil) }
        }
        guard status == LDAP_SUCCESS else {
            let reason = diagnostic(status)
            if status == LDAP_SERVER_DOWN || status == LDAP_TIMEOUT {
                throw .unreachable(controller: controller.description, reason: reason)
            }
            throw .bindRefused(controller: controller.description, mechanism: "simple", reason: reason)
        }
        boundAs = user
    }
}

/// SASL asks its questions here; the only answer GSSAPI needs is the credential to use, which
/// libldap accepts only once the SASL context exists, i.e. inside this callback.
private func saslInteract(
    _ handle: OpaquePointer?, _ flags: UInt32, _ defaults: UnsafeMutableRawPointer?, _ interact: UnsafeMutableRawPointer?
) -> Int32 {
    if let handle, let defaults {
        ldap_set_option(handle, LDAP_OPT_X_SASL_GSS_CREDS, defaults)
    }
    guard var prompt = interact?.assumingMemoryBound(to: sasl_interact_t.self) else { return LDAP_SUCCESS }
    while prompt.pointee.id != UInt(SASL_CB_LIST_END) {
        // No authorization identity: act as the authenticated principal.
        prompt.pointee.result = UnsafeRawPointer(emptyAnswer)
        prompt.pointee.len = 0
        prompt += 1
    }
    return LDAP_SUCCESS
}

private nonisolated(unsafe) let emptyAnswer: UnsafeMutablePointer<CChar> = {
    let answer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    answer.initialize(to: 0)
    return answer
}()

/// Owns a GSS-API initiator credential read from a named credentials cache.
final class GSSCredential {
    let raw: OpaquePointer

    init(cacheName: String, controller: String) throws(DirectoryError) {
        var minor: OM_uint32 = 0
        var credential: gss_cred_id_t?
        let major: OM_uint32 = "ccache".withCString { key in
            cacheName.withCString { value in
                var element = gss_key_value_element_desc(key: key, value: value)
                return withUnsafeMutablePointer(to: &element) { elements in
                    var store = gss_key_value_set_desc(count: 1, elements: elements)
                    var mechanism = ccgd_gss_mech_krb5().pointee
                    return withUnsafeMutablePointer(to: &mechanism) { mechanismPointer in
                        var mechanisms = gss_OID_set_desc(count: 1, elements: mechanismPointer)
                        return gss_acquire_cred_from(
                            &minor, nil, ccgd_gss_c_indefinite(), &mechanisms, gss_cred_usage_t(GSS_C_INITIATE),
                            &store, &credential, nil, nil)
                    }
                }
            }
        }
        guard major == GSS_S_COMPLETE, let credential else {
            throw .bindRefused(
                controller: controller, mechanism: "GSSAPI",
                reason: "no usable Kerberos credentials (\(GSSStatus.text(major: major, minor: minor)))")
        }
        raw = credential
    }

    deinit {
        var minor: OM_uint32 = 0
        var credential: gss_cred_id_t? = raw
        gss_release_cred(&minor, &credential)
    }
}

/// GSS-API's own words for a status pair.
enum GSSStatus {
    static func text(major: OM_uint32, minor: OM_uint32) -> String {
        var parts: [String] = []
        for (code, type) in [(major, GSS_C_GSS_CODE), (minor, GSS_C_MECH_CODE)] where code != 0 {
            var context: OM_uint32 = 0
            repeat {
                var ignored: OM_uint32 = 0
                var buffer = gss_buffer_desc()
                gss_display_status(&ignored, code, Int32(type), nil, &context, &buffer)
                if let value = buffer.value, buffer.length > 0 {
                    parts.append(String(decoding: UnsafeRawBufferPointer(start: value, count: buffer.length), as: UTF8.self))
                }
                gss_release_buffer(&ignored, &buffer)
            } while context != 0
        }
        return parts.joined(separator: ": ")
    }
}

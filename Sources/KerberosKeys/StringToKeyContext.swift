internal import CKrb5

/// A krb5 context for AES string-to-key, built on an empty profile so a broken or strict krb5.conf
/// cannot affect key derivation. krb5 contexts are not thread-safe: one per derivation call.
final class StringToKeyContext {
    private let context: krb5_context

    init() throws(KeyDerivationError) {
        var profile: profile_t?
        let profileCode = profile_init(nil, &profile)
        guard profileCode == 0, let profile else {
            throw .krb5ContextUnavailable(code: profileCode, message: Self.message(for: profileCode, in: nil))
        }
        defer { profile_release(profile) }
        var context: krb5_context?
        // The secure flag ignores KRB5_CONFIG and friends: the environment cannot redirect the daemon.
        let code = krb5_init_context_profile(profile, krb5_flags(KRB5_INIT_CONTEXT_SECURE), &context)
        guard code == 0, let context else {
            throw .krb5ContextUnavailable(code: Int(code), message: Self.message(for: Int(code), in: nil))
        }
        self.context = context
    }

    deinit {
        krb5_free_context(context)
    }

    /// RFC 3962 string-to-key; the s2kparams are the iteration count as 4 big-endian bytes.
    func aesKey(
        _ type: EncryptionType,
        passwordUTF8: SecretBytes,
        salt: Salt,
        iterations: UInt32
    ) throws(KeyDerivationError) -> SecretBytes {
        guard type.isAES else { throw .notAnAESEncryptionType(type) }
        var keyblock = krb5_keyblock()
        let saltBytes = Array(salt.value.utf8)
        let params = withUnsafeBytes(of: iterations.bigEndian) { Array($0) }
        let code = passwordUTF8.withUnsafeBytes { password in
            saltBytes.withUnsafeBytes { salt in
                params.withUnsafeBytes { params in
                    Self.withData(password) { passwordData in
                        Self.withData(salt) { saltData in
                            Self.withData(params) { paramsData in
                                krb5_c_string_to_key_with_params(
                                    context, type.rawValue, &passwordData, &saltData, &paramsData, &keyblock)
                            }
                        }
                    }
                }
            }
        }
        guard code == 0 else {
            throw .stringToKeyFailed(type, iterations: iterations, code: Int(code), message: Self.message(for: Int(code), in: context))
        }
        // krb5_free_keyblock_contents zeroes libkrb5's copy; ours wipes itself.
        defer { krb5_free_keyblock_contents(context, &keyblock) }
        let length = Int(keyblock.length)
        guard keyblock.enctype == type.rawValue, length == type.keyLength, let contents = keyblock.contents else {
            throw .unexpectedKey(type, returnedType: keyblock.enctype, length: length)
        }
        return SecretBytes(copying: UnsafeRawBufferPointer(start: contents, count: length))
    }

    /// A krb5_data over borrowed bytes (libkrb5 only reads through the non-const pointer); empty
    /// input gets a real one-byte placeholder, never a null or made-up pointer.
    private static func withData<R>(_ bytes: UnsafeRawBufferPointer, _ body: (inout krb5_data) -> R) -> R {
        var placeholder: CChar = 0
        return withUnsafeMutablePointer(to: &placeholder) { placeholderPointer in
            let pointer = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: CChar.self)) }
            var data = krb5_data(magic: 0, length: UInt32(bytes.count), data: pointer ?? placeholderPointer)
            return body(&data)
        }
    }

    private static func message(for code: Int, in context: krb5_context?) -> String {
        guard let cMessage = krb5_get_error_message(context, krb5_error_code(truncatingIfNeeded: code)) else {
            return "unknown libkrb5 error"
        }
        defer { krb5_free_error_message(context, cMessage) }
        return String(cString: cMessage)
    }
}

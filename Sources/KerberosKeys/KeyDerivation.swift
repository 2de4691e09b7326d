/// Kerberos long-term keys from a gMSA password, as Windows derives them.
public enum KeyDerivation {
    /// Derives one key per type from the password, strongest first (duplicates derived once).
    public static func keys(
        for password: ManagedPassword,
        salt: Salt,
        encryptionTypes: [EncryptionType]
    ) throws(KeyDerivationError) -> [KerberosKey] {
        let wanted = EncryptionType.allCases.filter(encryptionTypes.contains)
        // One krb5 context and one UTF-8 conversion serve both AES types.
        var aes: (context: StringToKeyContext, passwordUTF8: SecretBytes)?
        if wanted.contains(where: \.isAES) {
            aes = (try StringToKeyContext(), password.kerberosUTF8())
        }
        var keys: [KerberosKey] = []
        for type in wanted {
            if !type.isAES {
                keys.append(try rc4Key(utf16LittleEndian: password.utf16LittleEndian))
            } else if let aes {
                let bytes = try aes.context.aesKey(type, passwordUTF8: aes.passwordUTF8, salt: salt, iterations: defaultIterations)
                keys.append(KerberosKey(encryptionType: type, bytes: bytes))
            }
        }
        return keys
    }

    /// RFC 3962 string-to-key for raw UTF-8 bytes (also used by tests with the RFC vectors;
    /// iterations default 4096, which is what AD uses).
    public static func aesKey(
        _ type: EncryptionType,
        passwordUTF8: SecretBytes,
        salt: Salt,
        iterations: UInt32 = defaultIterations
    ) throws(KeyDerivationError) -> KerberosKey {
        guard type.isAES else { throw .notAnAESEncryptionType(type) }
        let bytes = try StringToKeyContext().aesKey(type, passwordUTF8: passwordUTF8, salt: salt, iterations: iterations)
        return KerberosKey(encryptionType: type, bytes: bytes)
    }

    /// RC4-HMAC: MD4 over the raw UTF-16LE bytes (unpaired surrogates and all, no conversion).
    public static func rc4Key(utf16LittleEndian: SecretBytes) throws(KeyDerivationError) -> KerberosKey {
        let bytes = try utf16LittleEndian.withUnsafeBytes { password in
            Result { () throws(KeyDerivationError) in try OpenSSLDigests.shared.md4(password) }
        }.get()
        return KerberosKey(encryptionType: .rc4Hmac, bytes: bytes)
    }

    /// RFC 3962's default PBKDF2 iteration count, the one AD uses.
    public static let defaultIterations: UInt32 = 4096
}

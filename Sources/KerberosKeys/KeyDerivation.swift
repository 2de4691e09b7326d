import Dispatch
import Synchronization

/// Kerberos long-term keys from a gMSA password, as Windows derives them.
package enum KeyDerivation {
    /// Derives one key per type from the password, strongest first (duplicates derived once).
    package static func keys(
        for password: ManagedPassword,
        salt: Salt,
        encryptionTypes: [EncryptionType]
    ) throws(KeyDerivationError) -> [KerberosKey] {
        let wanted = EncryptionType.allCases.filter(encryptionTypes.contains)
        let aesTypes = wanted.filter(\.isAES)
        // One UTF-8 conversion serves both AES types.
        let passwordUTF8 = aesTypes.isEmpty ? nil : password.kerberosUTF8()
        let derived = try passwordUTF8.map { utf8 throws(KeyDerivationError) in try Self.aesKeys(aesTypes, passwordUTF8: utf8, salt: salt) } ?? [:]
        var keys: [KerberosKey] = []
        for type in wanted {
            if let key = derived[type] {
                keys.append(key)
            } else if !type.isAES {
                keys.append(try rc4Key(utf16LittleEndian: password.utf16LittleEndian))
            }
        }
        return keys
    }

    /// The AES keys, each derived on a thread of its own: PBKDF2's 4096 rounds are nearly all of
    /// a cold fetch's CPU, and AES256's and AES128's do not depend on each other, so a cold
    /// lease waits for the longer one rather than for both. Each thread has its own krb5 context
    /// (a context is not to be shared between threads).
    static func aesKeys(_ types: [EncryptionType], passwordUTF8: SecretBytes, salt: Salt) throws(KeyDerivationError) -> [EncryptionType: KerberosKey] {
        let results = Mutex<[EncryptionType: Result<KerberosKey, KeyDerivationError>]>([:])
        DispatchQueue.concurrentPerform(iterations: types.count) { index in
            let type = types[index]
            let result = Result { () throws(KeyDerivationError) -> KerberosKey in
                let bytes = try StringToKeyContext().aesKey(type, passwordUTF8: passwordUTF8, salt: salt, iterations: defaultIterations)
                return KerberosKey(encryptionType: type, bytes: bytes)
            }
            results.withLock { $0[type] = result }
        }
        var keys: [EncryptionType: KerberosKey] = [:]
        for (type, result) in results.withLock({ $0 }) { keys[type] = try result.get() }
        return keys
    }

    /// RFC 3962 string-to-key for raw UTF-8 bytes (also used by tests with the RFC vectors;
    /// iterations default 4096, which is what AD uses).
    package static func aesKey(
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
    package static func rc4Key(utf16LittleEndian: SecretBytes) throws(KeyDerivationError) -> KerberosKey {
        let bytes = try utf16LittleEndian.withUnsafeBytes { password in
            Result { () throws(KeyDerivationError) in try OpenSSLDigests.shared.md4(password) }
        }.get()
        return KerberosKey(encryptionType: .rc4Hmac, bytes: bytes)
    }

    /// RFC 3962's default PBKDF2 iteration count, the one AD uses.
    package static let defaultIterations: UInt32 = 4096
}

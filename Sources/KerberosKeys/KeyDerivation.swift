import Dispatch
import Synchronization

/// Kerberos long-term keys from a gMSA password, as Windows derives them.
public enum KeyDerivation {
    /// Derives one key per type from the password, strongest first (duplicates derived once).
    public static func keys(
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

    /// The AES keys: RFC 3962 string-to-key with one PBKDF2 for both. PBKDF2-HMAC-SHA1 makes its
    /// output in 20-byte blocks, so AES128's 16 bytes are the first of AES256's 32: one 32-byte
    /// PBKDF2 (two blocks) serves both, where a string-to-key per type costs three blocks, and
    /// PBKDF2's 4096 rounds are nearly all of a cold fetch's CPU. Then DK(tkey, "kerberos") for
    /// each (RFC 3961 5.1; random-to-key is the identity for AES).
    static func aesKeys(_ types: [EncryptionType], passwordUTF8: SecretBytes, salt: Salt,
                        iterations: UInt32 = defaultIterations) throws(KeyDerivationError) -> [EncryptionType: KerberosKey] {
        guard let longest = types.map(\.keyLength).max() else { return [:] }
        for type in types where !type.isAES { throw .notAnAESEncryptionType(type) }
        guard iterations > 0 else { throw .iterationCountInvalid(iterations) }
        let saltBytes = Array(salt.value.utf8)
        let tkey = try passwordUTF8.withUnsafeBytes { password in
            saltBytes.withUnsafeBytes { salt in
                Result { () throws(KeyDerivationError) in
                    try OpenSSLDigests.shared.pbkdf2SHA1(password: password, salt: salt, iterations: iterations, length: longest)
                }
            }
        }.get()
        var keys: [EncryptionType: KerberosKey] = [:]
        for type in types {
            let key = try tkey.withUnsafeBytes { tkey throws(KeyDerivationError) in
                try derivedKey(UnsafeRawBufferPointer(rebasing: tkey.prefix(type.keyLength)))
            }
            keys[type] = KerberosKey(encryptionType: type, bytes: key)
        }
        return keys
    }

    /// n-fold("kerberos") to AES's 128-bit block (RFC 3961 A.1: 6b657262 65726f73 7b9b5b2b 93132b93).
    static let kerberosConstant: [UInt8] = [0x6B, 0x65, 0x72, 0x62, 0x65, 0x72, 0x6F, 0x73, 0x7B, 0x9B, 0x5B, 0x2B, 0x93, 0x13, 0x2B, 0x93]

    /// DK(tkey, "kerberos") for an AES key of tkey's length: the constant encrypted under tkey, and
    /// for 32 bytes that block encrypted again (DR feeds its output back until it has enough).
    static func derivedKey(_ tkey: UnsafeRawBufferPointer) throws(KeyDerivationError) -> SecretBytes {
        try SecretBytes(count: tkey.count) { key throws(KeyDerivationError) in
            try kerberosConstant.withUnsafeBytes { constant in
                Result { () throws(KeyDerivationError) in
                    var input = constant
                    for offset in stride(from: 0, to: key.count, by: 16) {
                        let block = UnsafeMutableRawBufferPointer(rebasing: key[offset..<offset + 16])
                        try OpenSSLDigests.shared.aesEncryptBlock(key: tkey, input, into: block)
                        input = UnsafeRawBufferPointer(block)
                    }
                }
            }.get()
        }
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
        return try aesKeys([type], passwordUTF8: passwordUTF8, salt: salt, iterations: iterations)[type]!
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

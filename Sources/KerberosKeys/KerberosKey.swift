/// A long-term Kerberos key.
package struct KerberosKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package let encryptionType: EncryptionType
    package let bytes: SecretBytes

    package init(encryptionType: EncryptionType, bytes: SecretBytes) {
        self.encryptionType = encryptionType
        self.bytes = bytes
    }

    /// First 8 bytes of SHA-256 over the key, hex: safe to print, lets operators compare keys.
    package var fingerprint: String {
        let digest = try? bytes.withUnsafeBytes { key in Result { () throws(KeyDerivationError) in try OpenSSLDigests.shared.sha256(key) } }.get()
        guard let digest else { return "unavailable" }
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    package var description: String { "\(encryptionType.name) key (fingerprint \(fingerprint))" }

    package var debugDescription: String { "KerberosKey(\(encryptionType.name), fingerprint \(fingerprint))" }

    package var customMirror: Mirror {
        Mirror(self, children: ["encryptionType": encryptionType, "fingerprint": fingerprint], displayStyle: .struct)
    }
}

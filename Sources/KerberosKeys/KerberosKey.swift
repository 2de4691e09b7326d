/// A long-term Kerberos key.
public struct KerberosKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let encryptionType: EncryptionType
    public let bytes: SecretBytes

    public init(encryptionType: EncryptionType, bytes: SecretBytes) {
        self.encryptionType = encryptionType
        self.bytes = bytes
    }

    /// First 8 bytes of SHA-256 over the key, hex: safe to print, lets operators compare keys.
    public var fingerprint: String {
        let digest = try? bytes.withUnsafeBytes { key in Result { () throws(KeyDerivationError) in try OpenSSLDigests.shared.sha256(key) } }.get()
        guard let digest else { return "unavailable" }
        return digest.prefix(8).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    public var description: String { "\(encryptionType.name) key (fingerprint \(fingerprint))" }

    public var debugDescription: String { "KerberosKey(\(encryptionType.name), fingerprint \(fingerprint))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["encryptionType": encryptionType, "fingerprint": fingerprint], displayStyle: .struct)
    }
}

/// HMAC-SHA256 under a key of the caller's (through the process's OpenSSL context): tells whether
/// two secrets are the same without keeping either, and, keyed per process, without an offline guess.
package struct KeyedFingerprint: Sendable {
    private let key: SecretBytes

    /// A fingerprint function with a fresh random 32-byte key (from the system's CSPRNG).
    package init() {
        var generator = SystemRandomNumberGenerator()
        key = SecretBytes(count: 32) { buffer in
            for index in buffer.indices { buffer[index] = UInt8.random(in: .min ... .max, using: &generator) }
        }
    }

    /// A fingerprint function with `key` (for tests with published vectors).
    init(key: SecretBytes) {
        self.key = key
    }

    /// The 32-byte HMAC-SHA256 of `bytes`.
    package func of(_ bytes: SecretBytes) throws(KeyDerivationError) -> [UInt8] {
        try key.withUnsafeBytes { key throws(KeyDerivationError) in
            try bytes.withUnsafeBytes { input throws(KeyDerivationError) in try OpenSSLDigests.shared.hmacSHA256(key: key, input) }
        }
    }
}

/// SHA-256 through the process's OpenSSL context, for fingerprints of inputs that must not be
/// kept themselves (a PluginInput may be a password).
package enum SHA256Digest {
    /// The 32-byte digest of `bytes`.
    package static func of(_ bytes: [UInt8]) throws(KeyDerivationError) -> [UInt8] {
        try bytes.withUnsafeBytes { input in Result { () throws(KeyDerivationError) in try OpenSSLDigests.shared.sha256(input) } }.get()
    }
}

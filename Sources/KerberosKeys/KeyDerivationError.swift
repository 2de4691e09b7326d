/// Why a Kerberos key could not be derived. Never carries password or key bytes.
package enum KeyDerivationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `aesKey` was asked for a type that is not AES.
    case notAnAESEncryptionType(EncryptionType)
    /// libkrb5 could not create the context string-to-key runs in.
    case krb5ContextUnavailable(code: Int, message: String)
    /// libkrb5's string-to-key failed.
    case stringToKeyFailed(EncryptionType, iterations: UInt32, code: Int, message: String)
    /// libkrb5 returned a key of the wrong type or length.
    case unexpectedKey(EncryptionType, returnedType: Int32, length: Int)
    /// OpenSSL's legacy provider, the only home of MD4 in OpenSSL 3, could not be loaded or used.
    case md4Unavailable(openSSLError: String)
    /// An OpenSSL digest computation failed.
    case digestFailed(algorithm: String, openSSLError: String)

    package var description: String {
        switch self {
        case .notAnAESEncryptionType(let type):
            return "AES string-to-key was asked for \(type), which is not an AES encryption type: use rc4Key(utf16LittleEndian:) for arcfour-hmac."
        case .krb5ContextUnavailable(let code, let message):
            return
                "libkrb5 could not create a context for key derivation: \(message) (code \(code)); check the MIT Kerberos libraries (libkrb5-3, libk5crypto3) are installed intact."
        case .stringToKeyFailed(let type, let iterations, let code, let message):
            return
                "libkrb5 failed to derive the \(type) key with \(iterations) iterations: \(message) (code \(code)); libkrb5 refuses iteration counts below 4096 and above its maximum, so use the default of 4096."
        case .unexpectedKey(let type, let returnedType, let length):
            return
                "libkrb5 returned a \(length)-byte key of type \(returnedType) when asked for \(type) (\(type.keyLength) bytes); the installed libkrb5 is broken or incompatible."
        case .md4Unavailable(let openSSLError):
            return
                "MD4, needed for the arcfour-hmac (RC4) key, is unavailable: OpenSSL's legacy provider is missing — install the package that ships ossl-modules/legacy.so (or point OPENSSL_MODULES at it), or remove RC4 from the account's msDS-SupportedEncryptionTypes (OpenSSL said: \(openSSLError))."
        case .digestFailed(let algorithm, let openSSLError):
            return "OpenSSL failed to compute \(algorithm): \(openSSLError); check the OpenSSL 3 libcrypto installation."
        }
    }
}

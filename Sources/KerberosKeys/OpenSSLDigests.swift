internal import COpenSSL

/// The process's own OpenSSL library context with the legacy (MD4) and default (SHA-256) providers,
/// created on first use and kept for the life of the process.
///
/// A private context, because loading `legacy` into OpenSSL's global context would switch off its
/// implicit `default` provider for everyone else in the process. `static let` makes creation
/// lazy and thread-safe. `@unchecked Sendable`: after init nothing is mutated, and OpenSSL allows
/// fetched `EVP_MD`s and library contexts to be used from many threads at once.
final class OpenSSLDigests: @unchecked Sendable {
    static let shared = OpenSSLDigests()

    private let md4Result: Result<OpaquePointer, KeyDerivationError>
    private let sha256Result: Result<OpaquePointer, KeyDerivationError>
    /// The library context the digests came from; HMAC is fetched from it on each call.
    private let context: OpaquePointer?

    private init() {
        let context = OSSL_LIB_CTX_new()
        self.context = context
        guard let context else {
            let error = Self.takeErrorQueue()
            md4Result = .failure(.md4Unavailable(openSSLError: error))
            sha256Result = .failure(.digestFailed(algorithm: "SHA-256", openSSLError: error))
            return
        }
        // Providers and fetched digests are never freed: they live as long as the process.
        let defaultProvider = OSSL_PROVIDER_load(context, "default")
        let defaultError = defaultProvider == nil ? Self.takeErrorQueue() : ""
        let legacyProvider = OSSL_PROVIDER_load(context, "legacy")
        let legacyError = legacyProvider == nil ? Self.takeErrorQueue() : ""

        if legacyProvider != nil, let md4 = EVP_MD_fetch(context, "MD4", nil) {
            md4Result = .success(md4)
        } else {
            md4Result = .failure(.md4Unavailable(openSSLError: legacyProvider == nil ? legacyError : Self.takeErrorQueue()))
        }
        if defaultProvider != nil, let sha256 = EVP_MD_fetch(context, "SHA256", nil) {
            sha256Result = .success(sha256)
        } else {
            let error = defaultProvider == nil ? defaultError : Self.takeErrorQueue()
            sha256Result = .failure(.digestFailed(algorithm: "SHA-256", openSSLError: error))
        }
    }

    /// MD4 of `input` into wiped storage (the RC4-HMAC key is the MD4 itself).
    func md4(_ input: UnsafeRawBufferPointer) throws(KeyDerivationError) -> SecretBytes {
        let md = try md4Result.get()
        return try SecretBytes(count: 16) { output throws(KeyDerivationError) in
            guard Self.digest(md, input, into: output) else {
                throw .digestFailed(algorithm: "MD4", openSSLError: Self.takeErrorQueue())
            }
        }
    }

    /// SHA-256 of `input`; the result is not secret (a fingerprint).
    func sha256(_ input: UnsafeRawBufferPointer) throws(KeyDerivationError) -> [UInt8] {
        let md = try sha256Result.get()
        var output = [UInt8](repeating: 0, count: 32)
        let ok = output.withUnsafeMutableBytes { Self.digest(md, input, into: $0) }
        guard ok else { throw .digestFailed(algorithm: "SHA-256", openSSLError: Self.takeErrorQueue()) }
        return output
    }

    /// HMAC-SHA256 of `input` under `key`; the result is a fingerprint that tells nothing of the input.
    func hmacSHA256(key: UnsafeRawBufferPointer, _ input: UnsafeRawBufferPointer) throws(KeyDerivationError) -> [UInt8] {
        _ = try sha256Result.get()
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        let ok = withUnsafeBytes(of: UInt8(0)) { empty in
            output.withUnsafeMutableBytes { out in
                EVP_Q_mac(
                    context, "HMAC", nil, "SHA256", nil, key.baseAddress ?? empty.baseAddress, key.count,
                    (input.baseAddress ?? empty.baseAddress)?.assumingMemoryBound(to: UInt8.self), input.count,
                    out.baseAddress?.assumingMemoryBound(to: UInt8.self), out.count, &length) != nil
            }
        }
        guard ok, length == output.count else { throw .digestFailed(algorithm: "HMAC-SHA256", openSSLError: Self.takeErrorQueue()) }
        return output
    }

    private static func digest(
        _ md: OpaquePointer,
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard Int(EVP_MD_get_size(md)) == output.count,
            let outputBase = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        else { return false }
        var length: UInt32 = 0
        // OpenSSL wants a non-null data pointer even for zero bytes.
        return withUnsafeBytes(of: UInt8(0)) { empty in
            let data = input.baseAddress ?? empty.baseAddress
            return EVP_Digest(data, input.count, outputBase, &length, md, nil) == 1
        } && Int(length) == output.count
    }

    /// Drains this thread's OpenSSL error queue into one line, so a stale error never surfaces later.
    static func takeErrorQueue() -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !messages.contains(message) { messages.append(message) }
        }
        return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
    }
}

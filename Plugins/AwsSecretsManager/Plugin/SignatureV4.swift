import CAWSTransport
import SecretMemory

/// AWS Signature Version 4 for one request (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
struct SignatureV4 {
    let credentials: AWSCredentials
    let region: String
    let service: String

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (for temporary credentials) and `Authorization` to
    /// `request`, whose `headers` (its `Host` among them) are all signed. `path` is already
    /// URI-encoded; `timestamp` is `YYYYMMDDTHHMMSSZ` (UTC).
    func sign(_ request: inout HTTPRequest, path: String, query: String = "", timestamp: String) {
        var signed = request.headers.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces)
        }
        signed.append(("x-amz-date", timestamp))
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed.sort { $0.0 < $1.0 }
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let canonicalRequest = [
            request.method, path, query,
            signed.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            Self.hex(Self.sha256(request.body ?? [])),
        ].joined(separator: "\n")
        let date = String(timestamp.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(Self.sha256(Array(canonicalRequest.utf8)))].joined(separator: "\n")
        let signature = Self.hex(signingKey(date: date).hmac(Array(stringToSign.utf8)))

        request.headers.append("X-Amz-Date: \(timestamp)")
        if let token = credentials.sessionToken { request.headers.append("X-Amz-Security-Token: \(token)") }
        request.headers.append(
            "Authorization: AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
                + "SignedHeaders=\(signedHeaders), Signature=\(signature)")
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    func signingKey(date: String) -> SigningKey {
        let prefix: [UInt8] = Array("AWS4".utf8)
        let secretKey = SecretBytes(count: prefix.count + credentials.secretAccessKey.count) { (buffer: UnsafeMutableRawBufferPointer) in
            buffer.copyBytes(from: prefix)
            credentials.secretAccessKey.withUnsafeBytes {
                UnsafeMutableRawBufferPointer(rebasing: buffer[prefix.count...]).copyMemory(from: $0)
            }
        }
        return SigningKey(secretKey).derive(date).derive(region).derive(service).derive("aws4_request")
    }

    static func sha256(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = data.withUnsafeBufferPointer { ccgd_aws_sha256($0.baseAddress, $0.count, &digest) }
        return digest
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A key of the SigV4 chain, in wiped storage.
struct SigningKey {
    let key: SecretBytes
    init(_ key: SecretBytes) { self.key = key }

    func derive(_ text: String) -> SigningKey {
        let data = Array(text.utf8)
        return SigningKey(
            SecretBytes(count: 32) { (out: UnsafeMutableRawBufferPointer) in
                key.withUnsafeBytes { key in
                    _ = ccgd_aws_hmac_sha256(
                        key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, data, data.count,
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                }
            })
    }

    func hmac(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        key.withUnsafeBytes { key in
            _ = ccgd_aws_hmac_sha256(key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, data, data.count, &out)
        }
        return out
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs; inner runs of spaces become one (SigV4's trim).
    var trimmingSpaces: String {
        split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

import FoundationEssentials
import SecretMemory
import Glibc

/// The JSON that the container credentials endpoint and instance metadata both answer:
/// `{"AccessKeyId": …, "SecretAccessKey": …, "Token": …, "Expiration": "2025-01-01T12:00:00Z"}`.
enum TemporaryCredentials {
    static func parse(_ body: SecretBuffer, source: String) throws(CredentialsFailure) -> AWSCredentials {
        let members: [(key: String, value: SecretJSONNode)]
        do throws(SecretJSONReader.Problem) {
            members = try body.withBytes { (bytes) throws(SecretJSONReader.Problem) in
                var reader = SecretJSONReader(bytes)
                guard case let .object(members) = try reader.document() else { throw .init(text: "it is not a JSON object") }
                return members
            }
        } catch {
            throw CredentialsFailure(message: "the answer of \(source) is not credentials JSON (\(error.text))")
        }
        guard let id = SecretJSONNode.member("AccessKeyId", of: members)?.text, !id.isEmpty,
            case let .string(secret)? = SecretJSONNode.member("SecretAccessKey", of: members), secret.count > 0
        else {
            let code = SecretJSONNode.member("Code", of: members)?.text.map { " (Code \($0))" } ?? ""
            throw CredentialsFailure(message: "the answer of \(source) lacks AccessKeyId or SecretAccessKey\(code)")
        }
        var expiration: Date?
        if let text = SecretJSONNode.member("Expiration", of: members)?.text {
            guard let date = ISO8601.date(text) else {
                throw CredentialsFailure(message: "the answer of \(source) has an Expiration that is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: SecretBytes(copying: secret),
            sessionToken: SecretJSONNode.member("Token", of: members)?.text, expiration: expiration, source: source)
    }
}

enum ISO8601 {
    /// `2025-01-01T12:00:00Z`, with optional fractional seconds or a numeric offset.
    static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// `YYYYMMDDTHHMMSSZ` for SigV4.
    static func basic(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }
}

import FoundationEssentials
import SecretMemory

/// `secretsmanager:GetSecretValue` for one secret, signed with SigV4, and the portable user in it:
/// the secret's value is JSON `{"username": …, "password": …, "domainName": …}` (what Amazon ECS's
/// gMSA support reads).
struct SecretsManager {
    let environment: Environment
    let credentials: AWSCredentials

    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL`, else the region's public endpoint.
    func endpoint(for secret: SecretReference) -> String {
        var url =
            environment["AWS_ENDPOINT_URL_SECRETS_MANAGER"] ?? environment["AWS_ENDPOINT_URL"]
            ?? "https://secretsmanager.\(secret.region).\(secret.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com")"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    func portableUser(_ secret: SecretReference, now: Date = Date()) throws(PluginFailure) -> PortableUser {
        let endpoint = endpoint(for: secret)
        guard let schemeEnd = endpoint.firstRange(of: "://") else {
            throw PluginFailure(.invalidInput, "the Secrets Manager endpoint \(endpoint) is not a URL; write https://HOST[:PORT]")
        }
        let rest = endpoint[schemeEnd.upperBound...]
        let authority = String(rest.prefix { $0 != "/" })
        let path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count)) + "/"
        var request = HTTPRequest(
            method: "POST", url: endpoint + (path == "/" ? "/" : ""),
            headers: [
                "Host: \(authority)",
                "Content-Type: application/x-amz-json-1.1",
                "X-Amz-Target: secretsmanager.GetSecretValue",
            ])
        if path != "/" { request.url = endpoint + "/" }
        request.body = Array("{\"SecretId\":\(JSONText.quoted(secret.arn))}".utf8)
        SignatureV4(credentials: credentials, region: secret.region, service: "secretsmanager")
            .sign(&request, path: path, timestamp: ISO8601.basic(now))

        let response: HTTPResponse
        do throws(TransportFailure) { response = try HTTPTransport.send(request) } catch {
            throw PluginFailure(
                .unavailable,
                "cannot reach Secrets Manager at \(endpoint): \(error.reason); check the network, the proxy (https_proxy) or AWS_ENDPOINT_URL_SECRETS_MANAGER")
        }
        guard response.status == 200 else { throw failure(response, secret: secret, endpoint: endpoint) }
        return try PortableUser(answer: response.body, secret: secret)
    }

    /// An error answer: `{"__type": "…#AccessDeniedException", "message": "…"}` (a type and a message, never the secret).
    private func failure(_ response: HTTPResponse, secret: SecretReference, endpoint: String) -> PluginFailure {
        var reader: SecretJSONReader?
        var type = "", said = ""
        response.body.withBytes { bytes in
            reader = SecretJSONReader(bytes)
            if case let .object(members)? = try? reader?.document() {
                type = SecretJSONNode.member("__type", of: members)?.text ?? ""
                said = (SecretJSONNode.member("message", of: members)?.text ?? "").prefix(300).trimmingSpaces
            }
        }
        type = String(type.split(separator: "#").last ?? "")
        if type.isEmpty {
            // Authentication errors may come as XML (<Code>…</Code><Message>…</Message>), as from STS.
            let text = response.text
            type = Self.element("Code", in: text) ?? ""
            said = Self.element("Message", in: text).map { String($0.prefix(300)).trimmingSpaces } ?? said
            if type.isEmpty, response.status == 403 { type = "AccessDeniedException" }
        }
        let aws = said.isEmpty ? "\(type.isEmpty ? "HTTP \(response.status)" : type)" : "\(type.isEmpty ? "HTTP \(response.status)" : type): \(said)"
        switch type {
        case "ResourceNotFoundException":
            return PluginFailure(.notFound, "Secrets Manager has no secret \(secret.arn) (\(aws)); check the CredSpec's credentialArn")
        case "AccessDeniedException", "AccessDenied":
            return PluginFailure(
                .accessDenied,
                "access denied to secret \(secret.arn) for the credentials from \(credentials.source) (\(aws)); allow secretsmanager:GetSecretValue on it (and kms:Decrypt for a customer-managed key)"
            )
        case "DecryptionFailure":
            return PluginFailure(
                .accessDenied,
                "Secrets Manager cannot decrypt secret \(secret.arn) for the credentials from \(credentials.source) (\(aws)); allow kms:Decrypt on its KMS key")
        case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch",
            "IncompleteSignature", "ExpiredTokenException", "MissingAuthenticationToken", "AuthFailure":
            return PluginFailure(
                .accessDenied,
                "Secrets Manager rejected the credentials from \(credentials.source) (\(aws)); check the access key, its secret and the node's clock")
        case "ThrottlingException", "InternalServiceError", "ServiceUnavailable", "ServiceUnavailableException":
            return PluginFailure(.unavailable, "Secrets Manager at \(endpoint) could not answer (\(aws)); try again later")
        default:
            return PluginFailure(
                response.status >= 500 ? .unavailable : .failed,
                "Secrets Manager at \(endpoint) refused GetSecretValue for \(secret.arn) (\(aws))")
        }
    }
}

extension SecretsManager {
    /// The text of the first `<name>…</name>` in `text`.
    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.firstRange(of: "<\(name)>"), let end = text[start.upperBound...].firstRange(of: "</\(name)>") else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

/// The portable user: names as text, the password in wiped storage only.
struct PortableUser {
    let domainName: String
    let username: String
    let password: SecretBuffer

    /// GetSecretValue's answer, `{"ARN": …, "SecretString": "<the secret's JSON>", …}`.
    init(answer: SecretBuffer, secret: SecretReference) throws(PluginFailure) {
        let answerMembers: [(key: String, value: SecretJSONNode)]
        do throws(SecretJSONReader.Problem) {
            answerMembers = try JSONText.object(answer)
        } catch {
            throw PluginFailure(.failed, "Secrets Manager's answer for \(secret.arn) is not a JSON object (\(error.text))")
        }
        guard case let .string(value)? = SecretJSONNode.member("SecretString", of: answerMembers) else {
            let binary = SecretJSONNode.member("SecretBinary", of: answerMembers) != nil
            throw PluginFailure(
                .malformedSecret,
                binary
                    ? "secret \(secret.arn) holds binary data; store {\"username\", \"password\", \"domainName\"} as its secret string"
                    : "Secrets Manager's answer for \(secret.arn) has no SecretString")
        }
        let members: [(key: String, value: SecretJSONNode)]
        do throws(SecretJSONReader.Problem) {
            members = try JSONText.object(value)
        } catch {
            throw PluginFailure(
                .malformedSecret,
                "the value of secret \(secret.arn) is not a JSON object (\(error.text)); store {\"username\": …, \"password\": …, \"domainName\": …}")
        }
        func field(_ name: String) throws(PluginFailure) -> SecretBuffer {
            guard case let .string(text)? = SecretJSONNode.member(name, of: members), text.count > 0 else {
                throw PluginFailure(
                    .malformedSecret,
                    "the value of secret \(secret.arn) has no non-empty string \"\(name)\"; store {\"username\": …, \"password\": …, \"domainName\": …}")
            }
            return text
        }
        username = try field("username").withBytes { String(decoding: $0, as: UTF8.self) }
        password = try field("password")
        domainName = try field("domainName").withBytes { String(decoding: $0, as: UTF8.self) }
    }
}

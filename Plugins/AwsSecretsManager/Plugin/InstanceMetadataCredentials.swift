import FoundationEssentials

/// EC2 instance metadata with IMDSv2: PUT /latest/api/token, then the instance role's name and
/// its credentials under /latest/meta-data/iam/security-credentials/ with that token.
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it; `AWS_EC2_METADATA_DISABLED=true` turns it off.
struct InstanceMetadataCredentials {
    let environment: Environment
    let cache: CredentialCache?

    func credentials(looked: inout [String]) throws(CredentialsFailure) -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            looked.append("instance metadata is turned off (AWS_EC2_METADATA_DISABLED)")
            return nil
        }
        var endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        let base = endpoint
        // Off EC2 nothing answers: fail fast there, as the SDKs do (1 s).
        func request(_ method: String, _ path: String, _ headers: [String]) -> HTTPRequest {
            var request = HTTPRequest(method: method, url: base + path, headers: headers)
            request.connectTimeoutMilliseconds = 1000
            request.timeoutMilliseconds = 2000
            return request
        }
        let tokenAnswer: HTTPResponse
        do throws(TransportFailure) {
            tokenAnswer = try HTTPTransport.send(request("PUT", "/latest/api/token", ["X-aws-ec2-metadata-token-ttl-seconds: 21600"]))
        } catch {
            looked.append("no instance metadata at \(base) (\(error.reason))")
            return nil
        }
        guard tokenAnswer.status == 200 else {
            throw CredentialsFailure(
                message:
                    "instance metadata \(base) refused an IMDSv2 token (HTTP \(tokenAnswer.status)); check the instance's metadata options (hop limit 2 or more inside a container)"
            )
        }
        let token = tokenAnswer.text.trimmingSpaces
        let authorization = "X-aws-ec2-metadata-token: \(token)"
        let path = "/latest/meta-data/iam/security-credentials/"
        let roleAnswer: HTTPResponse
        do throws(TransportFailure) { roleAnswer = try HTTPTransport.send(request("GET", path, [authorization])) } catch {
            throw CredentialsFailure(message: "instance metadata \(base) stopped answering: \(error.reason)")
        }
        let role = roleAnswer.text.split(whereSeparator: \.isNewline).first.map { String($0).trimmingSpaces } ?? ""
        guard roleAnswer.status == 200, !role.isEmpty else {
            throw CredentialsFailure(
                message: "instance metadata \(base) names no instance role (HTTP \(roleAnswer.status)); attach an IAM role (instance profile) to the instance")
        }
        let source = "instance metadata \(base), role \(role)"
        return try CredentialCache.cached(in: cache, source: source) { () throws(CredentialsFailure) in
            let answer: HTTPResponse
            do throws(TransportFailure) { answer = try HTTPTransport.send(request("GET", path + role, [authorization])) } catch {
                throw CredentialsFailure(message: "instance metadata \(base) stopped answering: \(error.reason)")
            }
            guard answer.status == 200 else {
                throw CredentialsFailure(message: "instance metadata \(base) answered HTTP \(answer.status) for the credentials of role \(role)")
            }
            return try TemporaryCredentials.parse(answer.body, source: source)
        }
    }
}

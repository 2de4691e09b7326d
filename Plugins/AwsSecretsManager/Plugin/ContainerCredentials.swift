import FoundationEssentials
import SecretMemory

/// The container credentials endpoint, as ECS tasks and EKS Pod Identity give it:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on http://169.254.170.2) or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the Authorization header.
struct ContainerCredentials {
    let environment: Environment
    let cache: CredentialCache?
    static let ecsHost = "http://169.254.170.2"

    func credentials(looked: inout [String]) throws(CredentialsFailure) -> AWSCredentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = Self.ecsHost + (relative.hasPrefix("/") ? "" : "/") + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            guard Self.isAllowed(full) else {
                throw CredentialsFailure(
                    message: "AWS_CONTAINER_CREDENTIALS_FULL_URI \(full) is neither https nor a loopback or ECS/EKS address; the SDKs refuse it too")
            }
            url = full
        } else {
            looked.append("no container credentials endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI unset)")
            return nil
        }
        let source = "container credentials \(url)"
        let token = try authorizationToken()
        return try CredentialCache.cached(in: cache, source: source, identity: token ?? "") { () throws(CredentialsFailure) in
            var request = HTTPRequest(method: "GET", url: url, headers: ["Accept: application/json"])
            request.connectTimeoutMilliseconds = 2000
            request.timeoutMilliseconds = 4000
            if let token { request.headers.append("Authorization: \(token)") }
            let response: HTTPResponse
            do throws(TransportFailure) { response = try HTTPTransport.send(request) } catch {
                throw CredentialsFailure(message: "cannot reach the container credentials endpoint \(url): \(error.reason)")
            }
            guard response.status == 200 else {
                throw CredentialsFailure(
                    message:
                        "the container credentials endpoint \(url) answered HTTP \(response.status); check the task or pod role and AWS_CONTAINER_AUTHORIZATION_TOKEN"
                )
            }
            return try TemporaryCredentials.parse(response.body, source: source)
        }
    }

    /// The token file wins over the variable, as in the SDKs (EKS Pod Identity rotates the file).
    private func authorizationToken() throws(CredentialsFailure) -> String? {
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] {
            do {
                let text = try SharedCredentialsFile.readFile(file).withBytes { String(decoding: $0, as: UTF8.self) }
                return text.trimmingSpaces.split(separator: "\n").first.map(String.init) ?? ""
            } catch {
                throw CredentialsFailure(message: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file); fix the path")
            }
        }
        return environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    }

    /// https anywhere; http only to loopback or the ECS and EKS Pod Identity link-local addresses.
    static func isAllowed(_ url: String) -> Bool {
        if url.lowercased().hasPrefix("https://") { return true }
        guard url.lowercased().hasPrefix("http://") else { return false }
        var host = url.dropFirst("http://".count).prefix { $0 != "/" }
        if host.hasPrefix("[") { host = host.dropFirst().prefix { $0 != "]" } } else { host = host.prefix { $0 != ":" } }
        return host.hasPrefix("127.") || host == "localhost" || host == "::1" || host == "169.254.170.2"
            || host == "169.254.170.23" || host.lowercased() == "fd00:ec2::23"
    }
}

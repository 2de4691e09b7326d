import FoundationEssentials
import SecretMemory

/// An access key pair (and, for temporary credentials, a session token and an expiry), with the
/// source it came from for `ccgctl plugin test`.
struct AWSCredentials {
    let accessKeyID: String
    let secretAccessKey: SecretBytes
    var sessionToken: String?
    var expiration: Date?
    /// Where they came from, e.g. "environment (AWS_ACCESS_KEY_ID)"; never a secret.
    var source: String
}

/// Why no credentials could be used; the message names the link that failed.
struct CredentialsFailure: Error {
    let message: String
}

/// The environment the plug-in runs in (ccgd gives it a clean one: see docs/aws-secrets-manager.md).
struct Environment {
    let variables: [String: String]

    subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }
}

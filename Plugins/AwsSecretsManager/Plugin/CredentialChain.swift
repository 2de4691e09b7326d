import FoundationEssentials
import SecretMemory

/// The AWS SDKs' default chain, in their order: the environment, the shared credentials file,
/// the container credentials endpoint (ECS, EKS Pod Identity), EC2 instance metadata (IMDSv2).
/// The first source that is configured decides: a broken one is an error, not a reason to go on.
struct CredentialChain {
    let environment: Environment
    let cache: CredentialCache?

    func credentials() throws(CredentialsFailure) -> AWSCredentials {
        var looked: [String] = []
        if let found = try EnvironmentCredentials(environment: environment).credentials(looked: &looked) { return found }
        if let found = try SharedCredentialsFile(environment: environment).credentials(looked: &looked) { return found }
        if let found = try ContainerCredentials(environment: environment, cache: cache).credentials(looked: &looked) { return found }
        if let found = try InstanceMetadataCredentials(environment: environment, cache: cache).credentials(looked: &looked) { return found }
        throw CredentialsFailure(
            message: "no AWS credentials found: " + looked.joined(separator: "; ")
                + "; give the node an instance role, or set AWS_* variables in the plug-in's environment (docs/aws-secrets-manager.md)")
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
struct EnvironmentCredentials {
    let environment: Environment

    func credentials(looked: inout [String]) throws(CredentialsFailure) -> AWSCredentials? {
        switch (environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"]) {
        case (nil, nil):
            looked.append("the environment has no AWS_ACCESS_KEY_ID")
            return nil
        case let (id?, secret?):
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: SecretBytes(Array(secret.utf8)),
                sessionToken: environment["AWS_SESSION_TOKEN"], source: "environment (AWS_ACCESS_KEY_ID)")
        case (.some, nil):
            throw CredentialsFailure(message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both or neither")
        case (nil, .some):
            throw CredentialsFailure(message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both or neither")
        }
    }
}

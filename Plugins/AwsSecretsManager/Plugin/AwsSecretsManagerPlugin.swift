import FoundationEssentials
import SecretMemory
import Glibc

/// The whole run of `ccgd-aws-plugin`: ccgd's request on stdin, credentials from the chain, the
/// secret from Secrets Manager, one JSON answer on stdout (docs/exec-plugins.md).
public enum AwsSecretsManagerPlugin {
    /// Answers one request and returns the exit status.
    public static func run(request: UnsafeRawBufferPointer, environment variables: [String: String]) -> (answer: SecretBuffer, status: Int32) {
        let environment = Environment(variables: variables)
        let output = SecretBuffer(capacity: 512)
        do throws(PluginFailure) {
            let secret = try SecretReference(request: request)
            let cache = environment["CCGD_AWS_CACHE_DIRECTORY"].flatMap { CredentialCache(directory: $0) }
            let credentials: AWSCredentials
            do throws(CredentialsFailure) {
                credentials = try CredentialChain(environment: environment, cache: cache).credentials()
            } catch {
                throw PluginFailure(.failed, error.message)
            }
            let user = try SecretsManager(environment: environment, credentials: credentials).portableUser(secret)
            JSONText.append("{\"domainName\": ", to: output)
            JSONText.appendQuoted(Array(user.domainName.utf8).withUnsafeBytes { SecretBytes(copying: $0) }, to: output)
            JSONText.append(", \"username\": ", to: output)
            JSONText.appendQuoted(Array(user.username.utf8).withUnsafeBytes { SecretBytes(copying: $0) }, to: output)
            JSONText.append(", \"password\": ", to: output)
            user.password.withBytes { JSONText.appendQuoted($0, to: output) }
            JSONText.append(", \"source\": \(JSONText.quoted("AWS Secrets Manager \(secret.arn), credentials from \(credentials.source)"))}\n", to: output)
            return (output, 0)
        } catch {
            JSONText.append("{\"error\": {\"code\": \"\(error.code.rawValue)\", \"message\": \(JSONText.quoted(error.message))}}\n", to: output)
            return (output, 1)
        }
    }

    /// Reads stdin, answers, writes stdout: the program's `main`.
    public static func main() -> Int32 {
        let request = SecretBuffer(capacity: 4096)
        while request.count <= 64 * 1024 {
            let count = request.append(upTo: 4096) { read(0, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0, errno != EINTR { break }
        }
        let (answer, status) = request.withBytes { run(request: $0, environment: ProcessInfo.processInfo.environment) }
        var written = 0
        answer.withBytes { bytes in
            while written < bytes.count {
                let count = write(1, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 { if errno == EINTR { continue }; return }
                written += count
            }
        }
        return status
    }
}

import CCGPlugin
import Configuration
import CredSpec
import FoundationEssentials
import Logging

extension PluginRegistry {
    /// The GUID Amazon ECS CredSpecs name for AWS Secrets Manager.
    package static let awsSecretsManagerGUID = PluginGUID("{859E1386-BDB4-49E8-85C7-3070B13920E1}")!
    /// The program's name in `[plugins] directory`, where scripts/install puts ccgd-aws-plugin.
    package static let awsSecretsManagerProgram = "aws-secrets-manager"

    /// The bundled AWS Secrets Manager plug-in for its GUID, unless the configuration maps that GUID
    /// elsewhere. It is a program of its own (HTTP and TLS stay out of ccgd) and gets ccgd's AWS_*
    /// and proxy variables (systemd Environment=), plus a credentials cache in the runtime directory.
    /// When it is not installed, a CredSpec naming it is told so.
    mutating func registerAWSSecretsManager(configuration: ServiceConfiguration, logger: Logger) {
        let guid = Self.awsSecretsManagerGUID
        guard !isRegistered(guid) else { return }
        let path = configuration.plugins.directory + "/" + Self.awsSecretsManagerProgram
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            name.hasPrefix("AWS_") || ["https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"].contains(name)
        }
        environment["CCGD_AWS_CACHE_DIRECTORY"] = configuration.daemon.runtimeDirectory + "/aws-secrets-manager"
        var pluginLogger = logger
        pluginLogger[metadataKey: "guid"] = "\(guid)"
        do {
            let plugin = try ExecutablePlugin(path: path, timeout: configuration.plugins.timeout, environment: environment, logger: pluginLogger)
            register(plugin, guid: guid, name: "AWS Secrets Manager", origin: "bundled executable \(path)", timeout: configuration.plugins.timeout)
        } catch {
            disable(
                guid,
                reason:
                    "the bundled AWS Secrets Manager plug-in cannot be used (\(error)) Install it with scripts/install, or map this GUID in a [plugin] section")
        }
    }
}

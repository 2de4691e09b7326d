import CCGPlugin
import Configuration
import CredSpec
import Logging

extension PluginRegistry {
    /// The built-ins plus every `[plugin "{GUID}"]` of `configuration`, each loaded and checked
    /// now so that a broken plug-in is reported at start-up, not at the first lease.
    package init(configuration: ServiceConfiguration, logger: Logger = Logger(label: "ccgd.plugins")) throws(ConfigurationError) {
        self = .builtIn(
            allowInline: configuration.plugins.allowInline, timeout: configuration.plugins.timeout,
            credentialsDirectory: configuration.plugins.credentialsDirectory, logger: logger)
        var problems: [ConfigurationProblem] = []
        for entry in configuration.registeredPlugins {
            let guid = PluginGUID(entry.guid)
            let timeout = entry.timeout ?? configuration.plugins.timeout
            do {
                switch entry.kind {
                case let .sharedObject(path):
                    let plugin = try SharedObjectPlugin(path: path)
                    register(plugin, guid: guid, name: entry.name ?? plugin.name, origin: "shared object \(path)", timeout: timeout)
                case let .executable(path, arguments):
                    var pluginLogger = logger
                    pluginLogger[metadataKey: "guid"] = "\(guid)"
                    let plugin = try ExecutablePlugin(
                        path: path, arguments: arguments, timeout: timeout, environment: entry.environment,
                        logger: pluginLogger)
                    register(
                        plugin, guid: guid, name: entry.name ?? path.split(separator: "/").last.map(String.init) ?? path,
                        origin: "executable \(path)", timeout: timeout)
                }
            } catch {
                problems.append(ConfigurationProblem(file: configuration.sourceFile, line: entry.line, key: nil, message: "\(error)"))
            }
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        registerAWSSecretsManager(configuration: configuration, logger: logger)
    }
}

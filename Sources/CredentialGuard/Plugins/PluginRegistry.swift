import CCGPlugin
import CredSpec
import FilePlugin

/// PluginGUID → plug-in, as Windows keeps under HKLM\…\CCG\COMClasses.
public struct PluginRegistry: Sendable {
    private var plugins: [PluginGUID: any DomainAuthCredentials]

    public init(_ plugins: [PluginGUID: any DomainAuthCredentials] = [:]) {
        self.plugins = plugins
    }

    /// The plug-ins compiled into ccgd.
    public static func builtIn() -> PluginRegistry {
        PluginRegistry([PluginGUID(FilePlugin.guid)!: FilePlugin()])
    }

    public mutating func register(_ plugin: any DomainAuthCredentials, for guid: PluginGUID) {
        plugins[guid] = plugin
    }

    public var registeredGUIDs: [PluginGUID] { plugins.keys.sorted { $0.normalized < $1.normalized } }

    /// Asks the plug-in named by `spec`'s PluginGUID for the portable user's credentials.
    public func credentials(for spec: CredentialSpec) async throws(PluginHostError) -> DomainCredential {
        let guid = spec.hostAccountConfig.pluginGUID
        guard let plugin = plugins[guid] else {
            throw .unknown(guid: guid.description, registered: registeredGUIDs.map(\.description))
        }
        do {
            let credential = try await plugin.passwordCredentials(pluginInput: spec.hostAccountConfig.pluginInput.text)
            guard !credential.username.isEmpty, !credential.domainName.isEmpty, !credential.password.isEmpty else {
                throw PluginError(.malformedSecret, "it returned an empty domain, user name or password")
            }
            return credential
        } catch {
            throw .failed(guid: guid.description, plugin: String(describing: type(of: plugin)), reason: "\(error)")
        }
    }
}

/// Why no credentials came from a plug-in.
public enum PluginHostError: CodedError, Sendable, Equatable {
    case unknown(guid: String, registered: [String])
    case failed(guid: String, plugin: String, reason: String)
    case timedOut(guid: String, plugin: String, seconds: Double)

    public var code: ErrorCode {
        switch self {
        case .unknown: .pluginUnknown
        case .failed: .pluginFailed
        case .timedOut: .pluginTimeout
        }
    }

    public var description: String {
        switch self {
        case let .unknown(guid, registered):
            return "no plug-in is registered for PluginGUID \(guid) (registered: \(registered.joined(separator: ", "))); register one in the configuration or fix the CredSpec."
        case let .failed(guid, plugin, reason):
            return "plug-in \(plugin) (\(guid)) failed: \(reason)"
        case let .timedOut(guid, plugin, seconds):
            return "plug-in \(plugin) (\(guid)) did not answer within \(seconds) s; check the secret store it reads."
        }
    }
}

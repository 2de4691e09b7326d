import CCGPlugin

/// The Windows docs' test plug-in: `PluginInput` is `domain:user:password` itself. It puts a
/// password in the CredSpec, so ccgd registers it only when `allow-inline = yes` and logs a
/// warning each time it is used. Tests and demos only.
public struct InlinePlugin: DomainAuthCredentials {
    /// Its fixed GUID, for a CredSpec's `HostAccountConfig.PluginGUID`.
    public static let guid = "6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60"

    public init() {}

    public func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        try read(pluginInput: pluginInput)
    }

    /// Splits `domain:user:password`; the password may itself contain colons.
    public func read(pluginInput: String) throws(PluginError) -> DomainCredential {
        let parts = pluginInput.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw PluginError(.invalidInput, "inline plug-in: PluginInput is not domain:user:password with three non-empty parts.")
        }
        return DomainCredential(domainName: String(parts[0]), username: String(parts[1]), password: Password(String(parts[2])))
    }
}

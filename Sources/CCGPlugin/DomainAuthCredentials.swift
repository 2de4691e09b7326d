/// The Swift mirror of Windows' `ICcgDomainAuthCredentials`: turns the CredSpec's
/// `PluginInput` into the portable user's credentials, usually by asking a secret store.
/// ccgd may call it concurrently, from any task.
public protocol DomainAuthCredentials: Sendable {
    /// `pluginInput` is the CredSpec's `PluginInput` as given: a string, or an object's JSON text.
    func passwordCredentials(pluginInput: String) async throws -> DomainCredential
}

import CCGPlugin
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The simplest secret store: a file only ccgd can read, or a systemd credential.
///
/// `PluginInput` is a path (`/etc/ccgd/portable-user.json`) or `credential:NAME`, read from
/// `$CREDENTIALS_DIRECTORY/NAME` (systemd's `LoadCredential=`). The file holds one of:
/// - JSON `{"domainName": "contoso.com", "username": "user", "password": "…"}`
/// - `DOMAIN\user:password` (the AKS Key Vault plug-in's secret format)
/// - `user@domain:password`
public struct FilePlugin: DomainAuthCredentials {
    /// Its fixed GUID, for a CredSpec's `HostAccountConfig.PluginGUID`.
    public static let guid = "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31"
    /// Files larger than this are not credentials.
    static let maximumSize = 64 * 1024

    private let credentialsDirectory: String?

    public init(credentialsDirectory: String? = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]) {
        self.credentialsDirectory = credentialsDirectory
    }

    public func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        try read(pluginInput: pluginInput)
    }

    /// The synchronous core: resolves the input to a file, checks it, parses it.
    public func read(pluginInput: String) throws(PluginError) -> DomainCredential {
        let path = try resolve(String(pluginInput.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()))
        var contents = try SecretFile.read(path, maximumSize: Self.maximumSize)
        defer { contents.wipe() }
        return try CredentialText.parse(contents.bytes, source: path)
    }

    private func resolve(_ input: String) throws(PluginError) -> String {
        if input.hasPrefix("credential:") {
            let name = String(input.dropFirst("credential:".count))
            guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
                throw PluginError(.invalidInput, "file plug-in: \"\(input)\" does not name a systemd credential; use credential:NAME with a plain name.")
            }
            guard let directory = credentialsDirectory, !directory.isEmpty else {
                throw PluginError(.notFound, "file plug-in: \(input) needs $CREDENTIALS_DIRECTORY, which is unset; add LoadCredential=\(name):PATH to the service or give a file path.")
            }
            return directory + "/" + name
        }
        guard input.hasPrefix("/") else {
            throw PluginError(.invalidInput, "file plug-in: PluginInput \"\(input)\" is not an absolute path or credential:NAME; give the full path of the credentials file.")
        }
        return input
    }
}

import CCGPlugin
import FoundationEssentials
import Glibc

/// The simplest secret store: a file only ccgd can read, or a systemd credential.
///
/// `PluginInput` names a file in the credentials directory (`[plugins] credentials-directory`,
/// `/etc/ccgd/credentials` by default): a bare name (`portable-user.json`) or the file's absolute
/// path in that directory (`/etc/ccgd/credentials/portable-user.json`); subdirectories are not
/// looked into. `credential:NAME` reads `$CREDENTIALS_DIRECTORY/NAME` (systemd's `LoadCredential=`).
/// The directory must be owned by root (or by the user ccgd runs as) and not writable by group or
/// others (unless sticky, as a Kubernetes Secret volume's tmpfs is: 1777); the file must be a
/// regular file with that same owner and mode 0600 or 0400. A symbolic link is followed only when
/// root owns it and it leads to a file inside the directory (a Secret volume's `NAME -> ..data/NAME`),
/// never outside. It holds one of:
/// - JSON `{"domainName": "contoso.com", "username": "user", "password": "…"}`
/// - `DOMAIN\user:password` (the AKS Key Vault plug-in's secret format)
/// - `user@domain:password`
public struct FilePlugin: DomainAuthCredentials {
    /// Its fixed GUID, for a CredSpec's `HostAccountConfig.PluginGUID`.
    public static let guid = "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31"
    /// Where credentials files live unless `[plugins] credentials-directory` says otherwise.
    public static let defaultDirectory = "/etc/ccgd/credentials"
    /// Files larger than this are not credentials.
    static let maximumSize = 64 * 1024

    /// The only directory a CredSpec's PluginInput can name a file in.
    public let directory: String
    private let systemdCredentialsDirectory: String?

    public init(
        directory: String = FilePlugin.defaultDirectory,
        systemdCredentialsDirectory: String? = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"]
    ) {
        self.directory = directory
        self.systemdCredentialsDirectory = systemdCredentialsDirectory
    }

    public func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        try read(pluginInput: pluginInput)
    }

    /// The synchronous core: resolves the input to a file in a checked directory, checks it, parses it.
    public func read(pluginInput: String) throws(PluginError) -> DomainCredential {
        let input = String(pluginInput.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        let location = try resolve(input)
        let contents = try SecretFile.read(location, maximumSize: Self.maximumSize)
        return try CredentialText.parse(contents, source: location.label)
    }

    /// An operator's own credentials file, named on a command line (`ccgctl … --credentials FILE`):
    /// any directory, but the file passes the same checks (regular, owned by root or the caller, mode
    /// 0600 or 0400). Never for a CredSpec's PluginInput.
    public static func read(credentialsFile path: String) throws(PluginError) -> DomainCredential {
        let cut = path.lastIndex(of: "/")
        let directory = cut.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = cut.map { String(path[path.index(after: $0)...]) } ?? path
        let location = SecretFile.Location(
            directory: directory, name: name, label: path, checksDirectory: false,
            directoryFix: "give the path of an existing credentials file")
        let contents = try SecretFile.read(location, maximumSize: maximumSize)
        return try CredentialText.parse(contents, source: path)
    }

    private func resolve(_ input: String) throws(PluginError) -> SecretFile.Location {
        let label = "PluginInput \"\(input)\""
        if input.hasPrefix("credential:") {
            let name = String(input.dropFirst("credential:".count))
            guard Self.isPlainName(name) else {
                throw PluginError(.invalidInput, "file plug-in: \(label) does not name a systemd credential; use credential:NAME with a plain name.")
            }
            guard let directory = systemdCredentialsDirectory, !directory.isEmpty else {
                throw PluginError(
                    .notFound,
                    "file plug-in: \(label) needs $CREDENTIALS_DIRECTORY, which is unset; add LoadCredential=\(name):PATH to the service or name a file in \(self.directory)."
                )
            }
            return SecretFile.Location(
                directory: directory, name: name, label: label, checksDirectory: true,
                directoryFix: "check LoadCredential= in the service")
        }
        let directory = Self.withoutTrailingSlashes(self.directory)
        var name = input
        if input.hasPrefix("/") {
            guard input.hasPrefix(directory + "/") else {
                throw PluginError(
                    .accessDenied,
                    "file plug-in: \(label) is not in the credentials directory \(directory); move the file there and name it by its name, or set [plugins] credentials-directory."
                )
            }
            name = String(input.dropFirst(directory.count + 1))
        }
        guard Self.isPlainName(name) else {
            throw PluginError(
                .invalidInput,
                "file plug-in: \(label) is not a file name in the credentials directory \(directory) (no subdirectories); give the name of a file there, or credential:NAME."
            )
        }
        return SecretFile.Location(
            directory: directory, name: name, label: label, checksDirectory: true,
            directoryFix: "create it with install -d -m 700 -o root \(directory), or set [plugins] credentials-directory")
    }

    private static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.utf8.contains(0)
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}

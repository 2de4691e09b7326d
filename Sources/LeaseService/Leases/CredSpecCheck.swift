import Configuration
import CredSpec
import DirectoryPipeline
import PluginHost

/// Whether ccgd could serve a CredSpec, short of asking the plug-in and the DC: it parses and
/// validates, and a plug-in is registered for its PluginGUID (unless its realm is read with the
/// computer account). What `ccgd --check-config` asks of every file of the CredSpec directory,
/// and `ccgctl credspec validate` of the files it is given.
package enum CredSpecCheck {
    /// Why `spec` could not be served under `configuration` with `plugins`; nil when it could.
    package static func problem(with spec: CredentialSpec, plugins: PluginRegistry, configuration: ServiceConfiguration) -> String? {
        guard let host = DirectoryReader.of(spec, configuration: configuration).portableUser else { return nil }
        return plugins.refusal(of: host.pluginGUID).map { "\($0)" }
    }

    /// The problem of each CredSpec of `directory` that has one, by file name (`WebApp01.json`), in name order.
    package static func problems(
        in directory: CredSpecDirectory, plugins: PluginRegistry,
        configuration: ServiceConfiguration
    ) -> (checked: Int, problems: [(file: String, problem: String)]) {
        let names = directory.credSpecNames().sorted { $0.stem < $1.stem }
        var problems: [(file: String, problem: String)] = []
        for name in names {
            let file = name.fileName
            do {
                let spec = try directory.read(file)
                if let problem = problem(with: spec, plugins: plugins, configuration: configuration) { problems.append((file, problem)) }
            } catch {
                if case let .credSpecInvalid(invalid, _) = error { problems.append((file, invalid.message)) } else { problems.append((file, "\(error)")) }
            }
        }
        return (names.count, problems)
    }
}

import ArgumentParser
import CredSpec
import LeaseService

extension CredSpecCommand {
    /// `ccgctl credspec list`: Get-CredentialSpec for ccgd's CredSpec directory.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the CredSpecs of the CredSpec directory, as Get-CredentialSpec does.",
            discussion:
                "Shows each CredSpec's name (for ccgctl lease create --credspec NAME), primary account (also the host name a container must carry: podman run --hostname), other accounts, domain and plug-in; a file ccgd cannot use is listed with its error."
        )

        @Option(help: ArgumentHelp("The CredSpec directory. Default: [daemon] credspec-directory of the configuration.", valueName: "DIRECTORY"))
        var directory: String?

        @OptionGroup var configuration: ConfigurationOptions

        func run() async throws {
            let path = try directory ?? configuration.load().daemon.credSpecDirectory
            let listed = try CredSpecDirectory(path: path).listing()
            guard !listed.isEmpty else { return print("no CredSpecs in \(path)") }
            let header = ["NAME", "PRIMARY (HOSTNAME)", "OTHER ACCOUNTS", "DOMAIN", "PLUG-IN"]
            // A usable CredSpec fills the columns; a broken file's error runs on from its name.
            let rows: [[String]] = listed.map { entry in
                switch entry.spec {
                case let .success(spec):
                    let others = spec.accounts.dropFirst()
                    return [
                        entry.name, spec.primaryAccount, others.isEmpty ? "-" : others.joined(separator: ","),
                        spec.domainJoinConfig.dnsName, spec.hostAccountConfig?.pluginGUID.description ?? "- (domain joined)",
                    ]
                case let .failure(error):
                    return [entry.name, "error: " + Self.sentence(error)]
                }
            }
            let tabular = [header] + rows.filter { $0.count == header.count }
            let widths = header.indices.map { column in
                column == 0 ? ([header] + rows).map { $0[0].count }.max()! : tabular.map { $0[column].count }.max()!
            }
            for row in [header] + rows {
                let cells = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }
                print(cells.joined(separator: "  "))
            }
        }

        /// The one sentence that says what is wrong with a file.
        private static func sentence(_ error: LeaseError) -> String {
            if case let .credSpecInvalid(problem, _) = error { return problem.message }
            return "\(error)"
        }
    }
}

import ArgumentParser
import Configuration
import CredSpec
import Foundation
import OperatorTools
import LeaseService
import PluginHost

extension CredSpecCommand {
    /// `ccgctl credspec validate`: what ccgd would say about a CredSpec, without a lease.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check CredSpec files as ccgd reads them; exits 1 if one is invalid.",
            discussion:
                "Prints FILE: valid (accounts, domain, plug-in), or FILE: the first problem with its JSON path, or that no plug-in of the configuration (--config) answers for its PluginGUID."
        )

        @Argument(help: ArgumentHelp("The CredSpec files.", valueName: "FILE"))
        var files: [String]

        @OptionGroup var configuration: ConfigurationOptions

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one CredSpec file.") }
        }

        func run() async throws {
            let service = try configuration.load()
            let plugins = try PluginRegistry(configuration: service)
            var invalid = false
            for file in files {
                do {
                    let spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: file))
                    if let problem = CredSpecCheck.problem(with: spec, plugins: plugins, configuration: service) {
                        invalid = true
                        let source = service.sourceFile.isEmpty ? "the built-in configuration (no \(ServiceConfiguration.defaultPath))" : service.sourceFile
                        FileHandle.standardError.write(Data("\(file): ccgd cannot serve it with \(source): \(problem)\n".utf8))
                        continue
                    }
                    print(
                        "\(file): valid (accounts \(spec.accounts.joined(separator: ", ")), domain \(spec.domainJoinConfig.dnsName), \(spec.hostAccountConfig.map { "plug-in \($0.pluginGUID)" } ?? "domain joined, no plug-in"))"
                    )
                    if !spec.listsMachineAccount {
                        FileHandle.standardError.write(
                            Data(
                                "\(file): warning: DomainJoinConfig.MachineAccountName \(spec.domainJoinConfig.machineAccountName) is not one of the GroupManagedServiceAccounts, so \(spec.primaryAccount) (the first listed) is the container's identity; set it to the account the container is known by on the network.\n"
                                    .utf8))
                    }
                } catch {
                    invalid = true
                    FileHandle.standardError.write(Data("\(file): \(error.message)\n".utf8))
                }
            }
            if invalid { throw ExitCode.failure }
        }
    }
}

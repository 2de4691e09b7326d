import ArgumentParser
import CredSpec
import Foundation
import OperatorTools

extension CredSpecCommand {
    /// `ccgctl credspec validate`: what ccgd would say about a CredSpec, without a lease.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check CredSpec files as ccgd reads them; exits non-zero if one is invalid.",
            discussion: "Prints FILE: valid (accounts, domain, plug-in), or FILE: the first problem with its JSON path.")

        @Argument(help: ArgumentHelp("The CredSpec files.", valueName: "FILE"))
        var files: [String]

        func validate() throws {
            guard !files.isEmpty else { throw ValidationError("give at least one CredSpec file.") }
        }

        func run() async throws {
            var invalid = false
            for file in files {
                do {
                    let spec = try CredentialSpec.read(contentsOf: URL(fileURLWithPath: file))
                    print("\(file): valid (accounts \(spec.accounts.joined(separator: ", ")), domain \(spec.domainJoinConfig.dnsName), \(spec.hostAccountConfig.map { "plug-in \($0.pluginGUID)" } ?? "domain joined, no plug-in"))")
                    if !spec.listsMachineAccount {
                        FileHandle.standardError.write(Data("\(file): warning: DomainJoinConfig.MachineAccountName \(spec.domainJoinConfig.machineAccountName) is not one of the GroupManagedServiceAccounts, so \(spec.primaryAccount) (the first listed) is the container's identity; set it to the account the container is known by on the network.\n".utf8))
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

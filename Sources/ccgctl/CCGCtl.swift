import ArgumentParser
import PackageVersion

@main
struct CCGCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccgctl",
        abstract: "Inspect, test and troubleshoot ccgd: gMSA credentials for Linux containers.",
        version: PackageVersion.string,
        subcommands: [
            LeaseCommand.self, AccountsCommand.self, HealthCommand.self, DoctorCommand.self, CredSpecCommand.self,
            FetchCommand.self, BlobCommand.self, PluginCommand.self,
        ])
}

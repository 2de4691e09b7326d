import ArgumentParser

/// `ccgctl credspec new|list|validate`: PowerShell's CredentialSpec cmdlets for ccgd's directory.
struct CredSpecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credspec",
        abstract: "Make, list and validate CredSpecs (New-CredentialSpec, Get-CredentialSpec).",
        subcommands: [New.self, List.self, Validate.self])
}

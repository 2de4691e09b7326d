import ArgumentParser
import CCGPlugin
import Configuration
import CredSpec
import Foundation
import PluginHost

/// `ccgctl plugin list|test`: what is registered, and whether one answers.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "List plug-ins and test one.",
        subcommands: [List.self, Test.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered plug-ins: GUID, name, where it comes from, timeout.")

        @OptionGroup var configuration: ConfigurationOptions

        func run() async throws {
            let registry = try PluginRegistry(configuration: try configuration.load())
            for registration in registry.all {
                print("\(registration.guid)  \(registration.name)  \(registration.origin)  timeout \(DurationText.text(registration.timeout))")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call a plug-in once and show the domain and user it returns (never the password) and how long it took.")

        @OptionGroup var configuration: ConfigurationOptions

        @Option(help: "The plug-in's GUID (braces optional).")
        var guid: String

        @Option(help: "The PluginInput to pass, as a CredSpec would.")
        var input = ""

        func run() async throws {
            guard let pluginGUID = PluginGUID(guid) else {
                throw ValidationError("--guid \(guid) is not a GUID; write it like {859E1386-BDB4-49E8-85C7-3070B13920E1}.")
            }
            let registry = try PluginRegistry(configuration: try configuration.load())
            let started = ContinuousClock.now
            let credential = try await registry.credentials(guid: pluginGUID, pluginInput: input)
            let elapsed = ContinuousClock.now - started
            print("domain    \(credential.domainName)")
            print("user      \(credential.username)")
            print("password  \(credential.password.count) bytes (not shown)")
            if let source = credential.source { print("source    \(source)") }
            print("took      \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], fractionalPart: .show(length: 1))))")
        }
    }
}

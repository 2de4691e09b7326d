import ArgumentParser
import PackageVersion
import SystemSupport
import Glibc

@main
struct CCGCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccgctl",
        abstract: "Inspect, test and troubleshoot ccgd: gMSA credentials for Linux containers.",
        discussion: """
            FINDING CCGD
              lease, accounts and health find ccgd's socket in this order:
              --socket PATH; the [daemon] socket of --config FILE; $CCGD_SOCKET;
              the [daemon] socket of /etc/ccgd/ccgd.conf; /run/ccgd/ccgd.sock.
              fetch, doctor, credspec, blob and plugin work without ccgd.

            \(CommandFailure.statusHelp)
            """,
        version: PackageVersion.string,
        subcommands: [
            LeaseCommand.self, AccountsCommand.self, HealthCommand.self, DoctorCommand.self, CredSpecCommand.self,
            FetchCommand.self, BlobCommand.self, PluginCommand.self,
        ])

    /// argument-parser's own `main`, but a failure of a command that ran is said in ccgctl's
    /// words with its documented status, never as a usage error.
    static func main() async {
        var command: ParsableCommand
        // The kernel's arguments: a preloaded libfaketime can leave Swift's empty (`ProcessArguments`).
        do { command = try parseAsRoot(Array(ProcessArguments.current.dropFirst())) } catch { exit(withError: error) }
        do {
            if var asynchronous = command as? AsyncParsableCommand { try await asynchronous.run() } else { try command.run() }
        } catch let failure as CommandFailure {
            report(failure.description)
            Glibc.exit(failure.status.rawValue)
        } catch let error where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // Its own: usage errors, --help (a help command that "fails"), exit codes.
            exit(withError: error)
        } catch {
            report("\(error)")
            Glibc.exit(CommandFailure.Status.failure.rawValue)
        }
    }

    private static func report(_ message: String) {
        let bytes = Array("ccgctl: \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

import ArgumentParser
import Configuration
import FoundationEssentials
import Glibc
import Logging
import DurableFiles
import PackageVersion
import LeaseService
import PluginHost
import SystemSupport

struct CCGD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccgd",
        abstract: "Serve gMSA keytabs and tickets to Linux containers over a Unix socket.",
        discussion: """
            Reads /etc/ccgd/ccgd.conf (every key: ccgd.conf(5)), restores the leases recorded in the state \
            directory, and answers the socket API (docs/api.md in /usr/share/doc/ccgd). Runs in the foreground; \
            systemd runs it as ccgd.service, started by ccgd.socket. SIGTERM or SIGINT stop it after the \
            requests in flight; SIGHUP (systemctl reload ccgd) re-reads the configuration, plug-ins and CredSpecs.
            """,
        version: PackageVersion.string)

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "The configuration file (default: /etc/ccgd/ccgd.conf; without it, built-in defaults). A file named here must exist.",
            valueName: "FILE"))
    var configurationPath: String?

    @Flag(
        name: .customLong("check-config"),
        help: """
            Check the configuration (and its plug-ins and every CredSpec of its CredSpec directory), report every problem, \
            and exit: 0 when ccgd could start with it, 2 otherwise.
            """)
    var checkConfiguration = false

    @Option(help: "The API socket (overrides [daemon] socket).")
    var socket: String?

    @Option(name: .customLong("runtime-directory"), help: "Where lease directories live (overrides [daemon] runtime-directory).")
    var runtimeDirectory: String?

    @Option(name: .customLong("state-directory"), help: "Where lease records live (overrides [daemon] state-directory).")
    var stateDirectory: String?

    @Option(name: .customLong("credspec-directory"), help: "Named CredSpecs (overrides [daemon] credspec-directory).")
    var credSpecDirectory: String?

    @Option(name: .customLong("allow-uid"), help: "Also allow this peer uid (repeatable; adds to [daemon] allowed-uids).")
    var allowedUIDs: [UInt32] = []

    func run() async throws {
        var configuration: ServiceConfiguration
        // --check-config checks a file: the default one must be there too.
        let path = configurationPath ?? ServiceConfiguration.defaultPath
        do { configuration = try ServiceConfiguration.load(path: path, named: configurationPath != nil || checkConfiguration) } catch {
            Self.standardError("\(error)")
            throw ExitCode(2)
        }
        let (socket, runtimeDirectory, stateDirectory, credSpecDirectory, allowedUIDs) =
            (self.socket, self.runtimeDirectory, self.stateDirectory, self.credSpecDirectory, self.allowedUIDs)
        // Flags win over the file, at start-up and at every reload.
        let overrides: @Sendable (inout ServiceConfiguration) -> Void = { configuration in
            if let socket { configuration.daemon.socket = socket }
            if let runtimeDirectory { configuration.daemon.runtimeDirectory = runtimeDirectory }
            if let stateDirectory { configuration.daemon.stateDirectory = stateDirectory }
            if let credSpecDirectory { configuration.daemon.credSpecDirectory = credSpecDirectory }
            configuration.daemon.allowedUIDs += allowedUIDs
        }
        overrides(&configuration)
        if checkConfiguration { return try Self.check(configuration, path: path) }
        HeapMemory.keepLargeBlocksMapped()
        try await Daemon(configuration: configuration, overrides: overrides).run()
        // Stopped: the calls still on their threads (a login, a search) finish first, within the
        // time systemd gives a stop. Then the process ends without exit()'s library destructors:
        // libkrb5's would tear down mutexes that a call still running (a hung plug-in, a DC that
        // never answers) or one a late task starts still holds, and abort the daemon (one of a
        // hundred did in the fleet harness). Nothing is lost: output is flushed here, and every
        // journal record is synced before its lease is acknowledged.
        _ = BlockingWork.settle(within: .seconds(5))
        fflush(nil)
        _exit(0)
    }

    /// `--check-config`: what a start or a reload would refuse, and what it would serve badly.
    static func check(_ configuration: ServiceConfiguration, path: String) throws {
        // Plug-ins are part of the configuration: a missing or unsafe one is a problem too.
        let plugins: PluginRegistry
        do { plugins = try PluginRegistry(configuration: configuration) } catch {
            standardError("\(error)")
            throw ExitCode(2)
        }
        let directory = configuration.daemon.credSpecDirectory
        var specs = "no CredSpec directory"
        var status = stat()
        if stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            let (checked, problems) = CredSpecCheck.problems(in: CredSpecDirectory(path: directory), plugins: plugins, configuration: configuration)
            if !problems.isEmpty {
                for (file, problem) in problems { standardError("\(directory)/\(file): \(problem)") }
                standardError("\(path): \(problems.count) of the \(checked) CredSpecs in \(directory) cannot be served; fix or remove them.")
                throw ExitCode(2)
            }
            specs = "\(checked) CredSpec\(checked == 1 ? "" : "s") in \(directory)"
        }
        let builtIn = plugins.all.filter { $0.origin == "built-in" }.count
        print("\(path): OK (\(plugins.all.count) plug-ins, \(builtIn) of them built in; \(configuration.domains.count) domains; \(specs))")
        if specs == "no CredSpec directory" {
            print("note: the CredSpec directory \(directory) does not exist; leases of named CredSpecs need it (ccgctl credspec new writes there).")
        }
        // Only looked at, never claimed: the check must not disturb a daemon that runs.
        for (purpose, directory) in [("state directory", configuration.daemon.stateDirectory), ("runtime directory", configuration.daemon.runtimeDirectory)] {
            guard let pid = DirectoryLock.holder(of: directory) else { continue }
            let holder = pid > 0 ? "process \(pid)" : "a process of another PID namespace"
            print(
                "note: the \(purpose) \(directory) is in use by a running ccgd (\(holder)); this configuration applies once it reloads (systemctl reload ccgd) or restarts."
            )
            break
        }
    }

    static func standardError(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

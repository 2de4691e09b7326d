/// runc's command line as its callers give it (containerd's shims, Docker, ctr), read the way
/// runc reads it, with ccgd-runtime's own leading options taken off. Only what the shim needs is
/// picked out; `runtimeArguments` is what the real runtime gets, unchanged and in order.
///
/// runc parses with Go's flag package through urfave/cli: `-name` and `--name` are the same,
/// a value follows as `--name value` or `--name=value`, a boolean takes only `--name=value`,
/// `--` ends the options, and a subcommand's options may also come after its container id.
struct RuntimeCommandLine: Equatable {
    /// What the shim does before handing over.
    enum Action: Equatable {
        /// `create` or `run`: look at the bundle's config.json first.
        case create(bundle: String, containerID: String)
        /// Anything else (start, kill, delete, state, --help, a command line runc will refuse):
        /// hand over at once.
        case handOver
    }

    /// `--ccgd-runtime PATH`: the real runtime (default: runc on the PATH).
    var runtime: String?
    /// `--ccgd-hooks-file FILE`: the hooks.d file whose hook is added (default: the installed one).
    var hooksFile: String?
    /// What the real runtime gets after its own name.
    var runtimeArguments: [String]
    var action: Action
    /// runc's `--log` and `--log-format`: where the caller looks for the runtime's errors.
    var log: String?
    var logFormat: String?

    static let usage = "usage: ccgd-runtime [--ccgd-runtime PATH] [--ccgd-hooks-file FILE] RUNC-ARGUMENTS…"

    /// runc's global options that take a value; the others are flags.
    static let globalValueOptions: Set<String> = ["root", "log", "log-format", "criu", "rootless"]
    static let globalFlags: Set<String> = ["debug", "systemd-cgroup"]
    static let helpOrVersion: Set<String> = ["help", "h", "version", "v"]
    /// The options of `runc create` and `runc run`.
    static let createValueOptions: Set<String> = ["bundle", "b", "console-socket", "pid-file", "preserve-fds"]
    static let createFlags: Set<String> = ["no-pivot", "no-new-keyring", "detach", "d", "keep", "no-subreaper"]

    init<Arguments: Collection<String>>(_ arguments: Arguments) throws(ShimFailure) {
        var rest = arguments[...]
        // Only leading: Docker puts a runtime's `runtimeArgs` before the arguments it passes.
        while let first = rest.first, first.hasPrefix("--ccgd-") {
            rest.removeFirst()
            let (name, inlineValue) = Self.split(first)
            guard name == "ccgd-runtime" || name == "ccgd-hooks-file" else {
                throw ShimFailure("unknown option \(first); \(Self.usage)")
            }
            guard let value = inlineValue ?? rest.popFirst(), !value.isEmpty else {
                throw ShimFailure("--\(name) needs a value; \(Self.usage)")
            }
            if name == "ccgd-runtime" {
                runtime = value
            } else {
                guard value.hasPrefix("/") else { throw ShimFailure("--ccgd-hooks-file needs an absolute path, not \(value); \(Self.usage)") }
                hooksFile = value
            }
        }
        runtimeArguments = Array(rest)
        action = .handOver

        // The global options, up to the subcommand.
        var subcommand: String?
        while let argument = rest.popFirst() {
            if argument == "--" {
                subcommand = rest.popFirst()
                break
            }
            guard let (name, inlineValue) = Self.option(argument) else {
                subcommand = argument
                break
            }
            if Self.globalValueOptions.contains(name) {
                guard let value = inlineValue ?? rest.popFirst() else { return }
                if name == "log" { log = value }
                if name == "log-format" { logFormat = value }
            } else if Self.globalFlags.contains(name) {
                continue
            } else if Self.helpOrVersion.contains(name) {
                return
            } else if inlineValue == nil {
                // Unknown to runc, which refuses it; the shim cannot tell whether a value follows.
                return
            }
        }
        guard subcommand == "create" || subcommand == "run" else { return }

        // The subcommand's options, before or after its one argument, the container id.
        var bundle = "."
        var positional: [String] = []
        while let argument = rest.popFirst() {
            if argument == "--" {
                positional += rest
                break
            }
            guard let (name, inlineValue) = Self.option(argument) else {
                positional.append(argument)
                continue
            }
            if Self.createValueOptions.contains(name) {
                guard let value = inlineValue ?? rest.popFirst() else { return }
                if name == "bundle" || name == "b" { bundle = value }
            } else if !Self.createFlags.contains(name) {
                // --help, or an option runc refuses: no container is made.
                return
            }
        }
        // runc refuses anything but exactly one container id.
        guard positional.count == 1, let containerID = positional.first, !bundle.isEmpty else { return }
        action = .create(bundle: bundle, containerID: containerID)
    }

    /// An option's name and its `=value`, or nil for an argument that is not an option ("-" and
    /// anything not starting with "-", as Go's flag package sees it).
    private static func option(_ argument: String) -> (name: String, value: String?)? {
        guard argument.hasPrefix("-"), argument != "-" else { return nil }
        var body = argument.dropFirst()
        if body.hasPrefix("-") { body = body.dropFirst() }
        // "---x" and "-=x" are bad syntax to Go: an unknown option, so the shim hands over.
        guard let first = body.first, first != "-", first != "=" else { return ("", nil) }
        return split(String(body))
    }

    /// "name=value" → ("name", "value"); "name" → ("name", nil); a leading "--" is dropped.
    private static func split(_ text: String) -> (name: String, value: String?) {
        var body = Substring(text)
        while body.hasPrefix("-") { body = body.dropFirst() }
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }
}

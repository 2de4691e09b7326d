/// The hook's command line, as `args` in the hooks.d file gives it:
/// `ccgd-oci-hook [--socket PATH] [--runtime-directory PATH] [--daemon-uid UID] [--log FILE]`.
struct HookArguments {
    static let usage = "usage: ccgd-oci-hook [--socket PATH] [--runtime-directory PATH] [--daemon-uid UID] [--log FILE] (the OCI state on standard input)"

    /// What `--help` prints: the hook is run by runtimes, but read by people.
    static let help = """
        ccgd-oci-hook: gives a container annotated with io.ccgd.credentialspec=NAME a lease of ccgd's
        CredSpec NAME (createRuntime: create it and bind-mount it read-only; poststop: delete it).
        Podman and CRI-O run it from /usr/share/containers/oci/hooks.d/ccgd.json, with the OCI state
        on standard input.

        \(usage)

          --socket PATH             ccgd's socket (default \(defaultSocket))
          --runtime-directory PATH  ccgd's runtime-directory; only its leases/ are mounted (default \(defaultRuntimeDirectory))
          --daemon-uid UID          the user ccgd runs as: the server must be root or it (default 0)
          --log FILE                also append warnings and failures to FILE (default: the system log,
                                    or \(HookLog.fallbackFile) where no /dev/log listens)
          --help                    this text

        Annotations: io.ccgd.credentialspec=NAME (required), io.ccgd.mount-path=/PATH (default
        /var/run/ccgd), io.ccgd.krb5conf=none (leave /etc/krb5.conf alone). A container with the
        io.kubernetes.* annotations of a Kubernetes pod gets the lease only where ccgd.conf says
        oci-hook-in-pods = yes in [credspec "NAME"] (pods use ccgd's CSI volume). Exits 0 when the
        container may run, 1 when it may not (one line on standard error says why), 2 on a bad
        argument. See the README, "Use it from Podman".
        """

    /// Whether the command line asks for the help text instead of a run.
    static func asksForHelp<Arguments: Collection<String>>(_ arguments: Arguments) -> Bool {
        arguments.contains("--help") || arguments.contains("-h")
    }
    static let defaultSocket = "/run/ccgd/ccgd.sock"
    static let defaultRuntimeDirectory = "/run/ccgd"

    /// ccgd's socket.
    var socket = defaultSocket
    /// ccgd's runtime directory: a lease directory the hook mounts must be in its `leases`.
    var runtimeDirectory = defaultRuntimeDirectory
    /// The user ccgd runs as: the server on the socket must be root or this user, and so must
    /// own the runtime and leases directories.
    var daemonUID: UInt32 = 0
    /// A file the hook appends its warnings and poststop failures to: runtimes show a hook's
    /// standard error only when it fails.
    var log: String?

    init<Arguments: Collection<String>>(_ arguments: Arguments) throws(HookFailure) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--socket", "--runtime-directory", "--log":
                guard let value = rest.popFirst(), value.hasPrefix("/") else {
                    throw HookFailure("\(argument) needs an absolute path; \(Self.usage)")
                }
                switch argument {
                case "--socket": socket = value
                case "--runtime-directory": runtimeDirectory = value
                default: log = value
                }
            case "--daemon-uid":
                guard let value = rest.popFirst(), let uid = UInt32(value) else {
                    throw HookFailure("--daemon-uid needs the numeric uid ccgd runs as; \(Self.usage)")
                }
                daemonUID = uid
            default:
                throw HookFailure("unknown argument \"\(argument)\"; \(Self.usage)")
            }
        }
    }
}

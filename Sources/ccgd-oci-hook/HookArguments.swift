/// The hook's command line, as `args` in the hooks.d file gives it:
/// `ccgd-oci-hook [--socket PATH] [--runtime-directory PATH] [--daemon-uid UID] [--log FILE]`.
struct HookArguments {
    static let usage = "usage: ccgd-oci-hook [--socket PATH] [--runtime-directory PATH] [--daemon-uid UID] [--log FILE] (the OCI state on standard input)"
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

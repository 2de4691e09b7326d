/// The hook's command line, as `args` in the hooks.d file gives it:
/// `ccgd-oci-hook [--socket PATH] [--log FILE]`.
struct HookArguments {
    static let usage = "usage: ccgd-oci-hook [--socket PATH] [--log FILE] (the OCI state on standard input)"
    static let defaultSocket = "/run/ccgd/ccgd.sock"

    /// ccgd's socket.
    var socket = defaultSocket
    /// A file the hook appends its warnings and poststop failures to: runtimes show a hook's
    /// standard error only when it fails.
    var log: String?

    init<Arguments: Collection<String>>(_ arguments: Arguments) throws(HookFailure) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--socket", "--log":
                guard let value = rest.popFirst(), value.hasPrefix("/") else {
                    throw HookFailure("\(argument) needs an absolute path; \(Self.usage)")
                }
                if argument == "--socket" { socket = value } else { log = value }
            default:
                throw HookFailure("unknown argument \"\(argument)\"; \(Self.usage)")
            }
        }
    }
}

import JSON

/// ccgd's OCI hook as config.json lists it (runtime-spec "hooks": path, args, env, timeout),
/// taken from the hooks.d file Podman and CRI-O read, so every runtime runs the hook with the
/// same path and arguments (--socket, --runtime-directory, --daemon-uid, --log).
struct HookEntry: Equatable {
    /// The file scripts/install installs.
    static let installedHooksFile = "/usr/share/containers/oci/hooks.d/ccgd.json"

    /// `{"path": …, "args": [...], "env": [...], "timeout": N}`, members as the file has them.
    let value: JSONValue

    /// The hook of a hooks.d file (format 1.0.0), read from `text`; `file` names it in errors.
    init(hooksFile text: [UInt8], file: String) throws(ShimFailure) {
        let document: JSONValue
        do { document = try JSONValue(parsing: text) } catch {
            throw ShimFailure("\(file) is not JSON (\(error.message)); reinstall ccgd's hooks.d file (scripts/install) or give another with --ccgd-hooks-file.")
        }
        guard document.member("version")?.text == "1.0.0", case let .object(hook)? = document.member("hook") else {
            throw ShimFailure(
                "\(file) is not a hooks.d file of version 1.0.0 with a hook object; reinstall ccgd's hooks.d file (scripts/install) or give another with --ccgd-hooks-file."
            )
        }
        guard let path = hook["path"]?.text, path.hasPrefix("/") else {
            throw ShimFailure("the hook in \(file) has no absolute path; give hook.path as the OCI hook's absolute path.")
        }
        var members: [(key: String, value: JSONValue)] = [("path", .string(path))]
        for key in ["args", "env"] {
            guard let list = hook[key] else { continue }
            guard case let .array(elements) = list, elements.allSatisfy({ $0.text != nil }) else {
                throw ShimFailure("hook.\(key) in \(file) is not an array of strings; correct it as for Podman (man oci-hooks).")
            }
            members.append((key, list))
        }
        if let timeout = hook["timeout"] {
            guard case let .number(literal) = timeout, let seconds = Int(literal), seconds > 0 else {
                throw ShimFailure("hook.timeout in \(file) is not a whole number of seconds above 0; correct it as for Podman (man oci-hooks).")
            }
            members.append(("timeout", timeout))
        }
        value = .object(JSONObject(members))
    }
}

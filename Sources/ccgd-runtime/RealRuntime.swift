import Glibc

/// The OCI runtime the shim hands every call to: `runc` on the PATH unless `--ccgd-runtime`
/// names another (a path, or a name looked up on the PATH). The shim itself is never chosen, so a
/// shim installed as `runc` ahead of the real one does not call itself forever.
struct RealRuntime {
    static let defaultName = "runc"
    /// What a PATH-less process (a daemon started without one) searches, as execvp(3) would.
    static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    let path: String

    init(named name: String?, searchPath: String?) throws(ShimFailure) {
        let name = name ?? Self.defaultName
        if name.contains("/") {
            guard Self.isExecutable(name), !Self.isThisProcess(name) else {
                throw ShimFailure(
                    "the OCI runtime \(name) (--ccgd-runtime) is not an executable file other than ccgd-runtime itself; give the real runtime's path.")
            }
            path = name
            return
        }
        let directories = (searchPath ?? Self.defaultSearchPath).split(separator: ":", omittingEmptySubsequences: false)
        for directory in directories {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if Self.isExecutable(candidate), !Self.isThisProcess(candidate) {
                path = candidate
                return
            }
        }
        throw ShimFailure(
            "cannot find the OCI runtime \(name) on the PATH (\(searchPath ?? Self.defaultSearchPath)); install runc or give the runtime's path with --ccgd-runtime."
        )
    }

    /// Replaces this process with the runtime: its exit status, signals and standard streams
    /// are then the runtime's own. Returns only on failure.
    func exec(_ arguments: [String]) -> ShimFailure {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        return ShimFailure("cannot run the OCI runtime \(path): \(systemError(errno))")
    }

    private static func isExecutable(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
    }

    private static func isThisProcess(_ path: String) -> Bool {
        var candidate = stat(), this = stat()
        guard stat(path, &candidate) == 0, stat("/proc/self/exe", &this) == 0 else { return false }
        return candidate.st_dev == this.st_dev && candidate.st_ino == this.st_ino
    }
}

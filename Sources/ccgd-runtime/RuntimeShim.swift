import Glibc

/// ccgd-runtime: an OCI runtime shim for runtimes that run no hooks.d files (Docker, containerd).
/// Called exactly like runc, it adds ccgd's OCI hook to the bundle of a container that asks for a
/// CredSpec, then replaces itself with the real runtime. See README, "Use it from Docker".
@main
struct RuntimeShim {
    static func main() {
        let commandLine: RuntimeCommandLine
        do { commandLine = try RuntimeCommandLine(CommandLine.arguments.dropFirst()) } catch {
            RuntimeLog(file: nil, format: nil).error("\(error)")
            exit(2)
        }
        let log = RuntimeLog(file: commandLine.log, format: commandLine.logFormat)
        do {
            let runtime = try RealRuntime(named: commandLine.runtime, searchPath: getenv("PATH").map { String(cString: $0) })
            if case let .create(bundle, containerID) = commandLine.action {
                do { try prepare(bundle: bundle, hooksFile: commandLine.hooksFile ?? HookEntry.installedHooksFile) } catch {
                    throw ShimFailure("container \(containerID.prefix(12)): \(error)")
                }
            }
            throw runtime.exec(commandLine.runtimeArguments)
        } catch {
            log.error("\(error)")
            exit(1)
        }
    }

    /// Adds ccgd's hook to the bundle's config.json if the container asks for a CredSpec; any
    /// other container's file is only read.
    static func prepare(bundle: String, hooksFile: String) throws(ShimFailure) {
        let file = try ConfigurationFile(bundle: bundle)
        var configuration = try ContainerConfiguration(text: file.bytes, file: file.path)
        guard let request = try configuration.request() else { return }
        let hooksText = try FileBytes.contents(
            of: hooksFile, remedy: "install ccgd's OCI hook (scripts/install) or give its hooks.d file with --ccgd-hooks-file.")
        try configuration.add(try HookEntry(hooksFile: hooksText, file: hooksFile), for: request)
        try file.replace(with: configuration.text(endingLike: file.bytes))
    }
}

import Glibc

// ccgd-oci-hook: an OCI hook (Podman, CRI-O) that gives a container annotated with
// io.ccgd.credentialspec a ccgd lease. See README, "Use it from Podman".
let log: HookLog
let hook: Hook
if HookArguments.asksForHelp(CommandLine.arguments.dropFirst()) {
    print(HookArguments.help)
    exit(0)
}
do {
    let arguments = try HookArguments(CommandLine.arguments.dropFirst())
    log = HookLog(file: arguments.log)
    hook = Hook(arguments: arguments, log: log)
} catch {
    HookLog(file: nil).error("\(error)")
    exit(2)
}
guard let input = FileBytes.readAll(STDIN_FILENO) else {
    log.error("cannot read the OCI state from standard input: \(systemError(errno))")
    exit(1)
}
do {
    exit(hook.run(state: try ContainerState(json: input)))
} catch {
    log.error("\(error)")
    exit(1)
}

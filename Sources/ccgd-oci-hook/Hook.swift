import ContainerRequest
import ProcessIdentity

/// The hook's two jobs, chosen by the state's status: at create (createRuntime or prestart:
/// `creating`), a lease for the annotated CredSpec mounted into the container; at poststop
/// (`stopped`), the container's leases deleted. Any other container or stage costs nothing.
struct Hook {
    let arguments: HookArguments
    let log: HookLog

    var client: LeaseClient { LeaseClient(socketPath: arguments.socket, daemonUID: arguments.daemonUID) }

    /// The exit status: non-zero fails the container start.
    func run(state: ContainerState) -> Int32 {
        guard let name = state.annotations[ContainerState.Annotation.credentialSpec] else { return 0 }
        switch state.status {
        case "creating", "created":
            do {
                try create(state, credentialSpecName: name)
                return 0
            } catch {
                // No double quotes: runtimes quote the hook's stderr in their own message.
                log.error("container \(state.shortID), CredSpec \(name): \(error)")
                return 1
            }
        case "stopped":
            remove(state)
            return 0
        default:
            return 0
        }
    }

    private func create(_ state: ContainerState, credentialSpecName name: String) throws(HookFailure) {
        if name.hasPrefix("{") {
            throw HookFailure(
                "inline CredSpecs are not accepted from annotations; put it in ccgd's CredSpec directory and give its name in \(ContainerState.Annotation.credentialSpec)."
            )
        }
        let mountPath = state.annotations[ContainerState.Annotation.mountPath]
        if let mountPath, !mountPath.hasPrefix("/") {
            throw HookFailure("\(ContainerState.Annotation.mountPath) must be an absolute path, not \"\(mountPath)\".")
        }
        let replacesKrb5Conf: Bool
        switch state.annotations[ContainerState.Annotation.krb5Conf] {
        case nil: replacesKrb5Conf = true
        case "none": replacesKrb5Conf = false
        case let other?: throw HookFailure("\(ContainerState.Annotation.krb5Conf) may only be \"none\", not \"\(other)\".")
        }
        guard let pid = state.pid, pid > 0 else {
            throw HookFailure("the OCI state has no pid; list ccgd-oci-hook under createRuntime or prestart only (and poststop).")
        }
        let configuration = try BundleConfiguration(bundle: state.bundle)
        let owner = try configuration.hostOwner()
        // ccgd decides whether a pod's container may have the CredSpec (oci-hook-in-pods); the hook
        // only says which pod, from the state's annotations and, should a runtime leave some out
        // of the state, config.json's.
        let pod = KubernetesPod(annotations: configuration.annotations.merging(state.annotations) { $1 })
        let lease = try client.create(
            credentialSpecName: name, owner: owner, containerID: state.id, mountPath: mountPath,
            holder: (pid, ProcessStart.ticks(of: pid)), kubernetesPod: pod)
        do {
            let files = try CheckedLease(
                lease, runtimeDirectory: arguments.runtimeDirectory, daemonUID: arguments.daemonUID,
                owner: owner, withKrb5Conf: replacesKrb5Conf)
            try ContainerMounts(pid: pid, rootPath: configuration.rootPath).attach(files, at: lease.mountTarget)
        } catch {
            // The container will not start (a refused answer too): its lease must not outlive it.
            do { try client.delete(lease.id) } catch let cleanup {
                log.error("container \(state.shortID): cannot delete lease \(lease.id) after the failure below: \(cleanup)")
            }
            throw error
        }
        if let hostname = configuration.hostname, !Self.sameHost(hostname, lease.hostname), !lease.hostname.isEmpty {
            log.warning(
                "container \(state.shortID) has the host name \"\(hostname)\", not its gMSA's \"\(lease.hostname)\"; run it with --hostname \(lease.hostname) so that services see the name its tickets carry."
            )
        }
    }

    /// Never fails the removal: what cannot be deleted is logged.
    private func remove(_ state: ContainerState) {
        do {
            for id in try client.leases(ofContainer: state.id) { try client.delete(id) }
        } catch {
            log.error(
                "container \(state.shortID): cannot delete its ccgd lease: \(error); find it with GET /v1/leases?containerId=\(state.id) on ccgd's socket and delete it with ccgctl lease delete ID."
            )
        }
    }

    /// Host names compare case-insensitively, by their first label (WebApp01 = webapp01.contoso.test).
    static func sameHost(_ a: String, _ b: String) -> Bool {
        func label(_ name: String) -> String { String(name.prefix { $0 != "." }).lowercased() }
        return label(a) == label(b)
    }
}

import CSIWire
import Configuration
import Glibc
import FoundationEssentials
import GRPCUnaryServer
import LeaseService
import Logging
import Observability

/// The Node service of ccgd's CSI plug-in: a pod's ephemeral inline volume is one lease of a
/// named CredSpec, its directory bind-mounted read-only at the volume's target path, created on
/// NodePublishVolume and deleted on NodeUnpublishVolume. The lease's container id names the pod
/// and the volume, and its record keeps the service account and target path, so a restart
/// loses nothing: the mount stays, the lease is restored, and unpublish finds it.
package actor CSINodeService {
    package struct Settings: Sendable {
        package var nodeID: String
        package var kubeletDirectory: String

        package init(nodeID: String, kubeletDirectory: String) {
            self.nodeID = nodeID
            self.kubeletDirectory = kubeletDirectory
        }
    }

    /// This front end's name in a lease's `frontEnd`.
    package static let frontEnd = "csi"

    /// What a CSI lease's record keeps (`Lease.frontEndDetails`).
    enum Detail {
        static let serviceAccount = "serviceAccount"
        static let pod = "pod"
        static let targetPath = "targetPath"
        static let volumeID = "volumeID"
    }

    let keeper: LeaseKeeper
    let settings: Settings
    let policy: @Sendable () -> PeerPolicy
    let logger: Logger
    /// The operation under way for each volume id: the kubelet retries a publish whose deadline
    /// passed while the first is still fetching, and both must end in one lease.
    private var operations: [String: Task<Void, any Error>] = [:]

    package init(keeper: LeaseKeeper, settings: Settings, policy: @escaping @Sendable () -> PeerPolicy, logger: Logger) {
        self.keeper = keeper
        self.settings = settings
        self.policy = policy
        self.logger = logger
    }

    // MARK: - RPCs

    func publish(_ request: NodePublishVolumeRequest) async throws -> NodePublishVolumeResponse {
        let volume = try PodVolume(request, kubeletDirectory: settings.kubeletDirectory)
        try await serialized(volume.volumeID) { try await self.publish(volume) }
        return NodePublishVolumeResponse()
    }

    func unpublish(_ request: NodeUnpublishVolumeRequest) async throws -> NodeUnpublishVolumeResponse {
        guard !request.volumeID.isEmpty else { throw RPCStatus(code: .invalidArgument, message: "volume_id is empty; the kubelet always sends one.") }
        guard !request.targetPath.isEmpty else { throw RPCStatus(code: .invalidArgument, message: "target_path is empty; the kubelet always sends one.") }
        let target = try TargetPath(request.targetPath, kubeletDirectory: settings.kubeletDirectory)
        try await serialized(request.volumeID) { try await self.unpublish(volumeID: request.volumeID, target: target) }
        return NodeUnpublishVolumeResponse()
    }

    func info() -> NodeGetInfoResponse {
        NodeGetInfoResponse(nodeID: settings.nodeID)
    }

    nonisolated func capabilities() -> NodeGetCapabilitiesResponse {
        // VOLUME_MOUNT_GROUP: the kubelet passes the pod's fsGroup instead of chown-ing the files itself.
        NodeGetCapabilitiesResponse(capabilities: [.rpc(.volumeMountGroup)])
    }

    // MARK: - Publish and unpublish

    /// Runs `operation` once the volume's earlier operations ended (whatever their outcome).
    /// It runs to its end even when the kubelet gives up waiting: the retry then finds its result.
    private func serialized(_ volumeID: String, _ operation: @escaping @Sendable () async throws -> Void) async throws {
        while let earlier = operations[volumeID] { _ = try? await earlier.value }
        let task = Task { try await operation() }
        operations[volumeID] = task
        defer { operations[volumeID] = nil }
        try await task.value
    }

    private func publish(_ volume: PodVolume) async throws {
        guard Self.grants(policy(), volume.credentialSpecName, to: volume.pod) else {
            Metrics.shared.increment("ccgd_csi_publishes_refused_total", ["reason": "service_account"])
            logger.warning(
                "CSI volume refused: the service account may not use the CredSpec",
                metadata: [
                    "pod": "\(volume.pod)", "pod_uid": "\(volume.pod.uid)", "service_account": "\(volume.pod.serviceAccountName)",
                    "credspec": "\(volume.credentialSpecName)", "volume": "\(volume.volumeID)",
                ])
            throw CSIStatus.notGranted(volume)
        }
        if let existing = await keeper.allLeases().first(where: { PodVolume.isLease($0, ofVolume: volume.volumeID) }) {
            // A retry: the same volume again is answered OK; another use of its id is not.
            guard existing.credentialSpecName == volume.credentialSpecName, existing.mountPath == volume.mountPath,
                existing.owner == volume.owner, existing.frontEndDetails[Detail.targetPath] == volume.target.path
            else { throw CSIStatus.publishedOtherwise(volume, as: existing) }
            try TargetMount.attach(existing.directory, at: volume.target)
            return
        }
        let started = ContinuousClock.now
        let request = LeaseRequest(
            source: .named(volume.credentialSpecName), owner: volume.owner, fileAccess: volume.fileAccess, containerID: volume.containerID,
            mountPath: volume.mountPath, creator: 0, creatorGID: 0, frontEnd: Self.frontEnd,
            frontEndDetails: [
                Detail.serviceAccount: volume.pod.serviceAccountName, Detail.pod: "\(volume.pod)", Detail.targetPath: volume.target.path,
                Detail.volumeID: volume.volumeID,
            ])
        let lease: Lease
        do { lease = try await keeper.create(request) } catch {
            Metrics.shared.increment("ccgd_csi_publishes_refused_total", ["reason": error.code.rawValue])
            logger.warning(
                "CSI volume not published",
                metadata: [
                    "pod": "\(volume.pod)", "credspec": "\(volume.credentialSpecName)", "volume": "\(volume.volumeID)", "error": "\(error)",
                ])
            throw CSIStatus.of(error, volume: volume)
        }
        do { try TargetMount.attach(lease.directory, at: volume.target) } catch {
            // Nothing mounted: the lease must not outlive the failed publish.
            do { try await keeper.delete(lease.id) } catch {
                logger.error("a lease whose mount failed cannot be deleted", metadata: ["lease": "\(lease.id)", "error": "\(error)"])
            }
            throw error
        }
        logger.info(
            "CSI volume published",
            metadata: [
                "pod": "\(volume.pod)", "pod_uid": "\(volume.pod.uid)", "service_account": "\(volume.pod.serviceAccountName)",
                "credspec": "\(volume.credentialSpecName)", "lease": "\(lease.id)", "volume": "\(volume.volumeID)",
                "owner": "\(volume.owner.uid):\(volume.owner.gid)", "access": "\(volume.fileAccess)",
                "milliseconds": "\((ContinuousClock.now - started).secondsValue * 1000)",
            ])
    }

    private func unpublish(volumeID: String, target: TargetPath) async throws {
        try TargetMount.detach(target)
        for lease in await keeper.allLeases() where PodVolume.isLease(lease, ofVolume: volumeID) {
            do { try await keeper.delete(lease.id) } catch {
                if case .notFound = error { continue }
                throw RPCStatus(code: CSIStatus.code(error.code), message: "volume \(volumeID) is unmounted, but its lease \(lease.id) stays: \(error)")
            }
            logger.info(
                "CSI volume unpublished",
                metadata: [
                    "pod": "\(lease.frontEndDetails[Detail.pod] ?? "")", "credspec": "\(lease.credentialSpecName ?? "")", "lease": "\(lease.id)",
                    "volume": "\(volumeID)",
                ])
        }
    }

    // MARK: - Leases that must end

    /// Whether `policy` lets the pod's service account use the named CredSpec.
    static func grants(_ policy: PeerPolicy, _ credentialSpecName: String, to pod: PodIdentity) -> Bool {
        grants(policy, credentialSpecName, serviceAccount: pod.serviceAccountName)
    }

    static func grants(_ policy: PeerPolicy, _ credentialSpecName: String, serviceAccount: String) -> Bool {
        let parts = serviceAccount.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let access = policy.credSpecs[CredSpecNameKey.of(credentialSpecName)] else { return false }
        return access.kubernetesServiceAccounts.contains { $0.matches(namespace: String(parts[0]), name: String(parts[1])) }
    }

    /// Why a CSI lease may no longer be held under `policy` (a reload, a restart): its pod's
    /// service account is no longer granted its CredSpec.
    package static func refusal(toKeep lease: Lease, policy: PeerPolicy) -> String? {
        guard lease.frontEnd == frontEnd else { return nil }
        let account = lease.frontEndDetails[Detail.serviceAccount] ?? ""
        let name = lease.credentialSpecName ?? ""
        guard !grants(policy, name, serviceAccount: account) else { return nil }
        return "service account \(account.isEmpty ? "(unknown)" : account) is no longer in kubernetes-service-accounts of [credspec \"\(name)\"]"
    }

    /// Ends the CSI leases whose pod is gone from this node (its directory under the kubelet's
    /// pods directory removed) without an unpublish: a node that rebooted, a kubelet that
    /// forgot. Answers how many ended.
    package func endLeasesOfGonePods() async -> Int {
        var ended = 0
        for lease in await keeper.allLeases() where lease.frontEnd == Self.frontEnd {
            guard let path = lease.frontEndDetails[Detail.targetPath],
                let target = try? TargetPath(path, kubeletDirectory: settings.kubeletDirectory)
            else { continue }
            // Only a pods directory that is there tells of gone pods: a kubelet directory not
            // mounted (a DaemonSet without it) must not end every lease of the node.
            var status = stat()
            guard lstat(target.podsDirectory, &status) == 0, lstat(target.podDirectory, &status) != 0, errno == ENOENT else { continue }
            if await keeper.end(lease.id, reason: .revoked("its pod's directory \(target.podDirectory) is gone (the pod left this node)")) {
                ended += 1
            }
        }
        return ended
    }
}

/// A CredSpec's key among the `[credspec "NAME"]` sections.
enum CredSpecNameKey {
    static func of(_ name: String) -> String { ServiceConfiguration.CredSpecAccess.plainName(name) }
}

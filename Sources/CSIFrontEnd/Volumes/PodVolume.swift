import CSIWire
import ContainerRequest
import CredSpec
import GRPCUnaryServer
import LeaseService

/// A NodePublishVolume request checked and read as what it is: one pod's ephemeral inline
/// volume asking for a named CredSpec. Everything the kubelet or the pod author wrote is checked
/// here, before anything is authorized or made; every refusal names the pod and what to change.
struct PodVolume: Sendable, Equatable {
    let volumeID: String
    let target: TargetPath
    let pod: PodIdentity
    /// The CredSpec's name in ccgd's CredSpec directory (the `credentialSpec` attribute).
    let credentialSpecName: String
    /// Where the pod mounts the volume: the lease's krb5.conf names its files there.
    let mountPath: String
    let owner: LeaseOwner
    let fileAccess: LeaseFileAccess

    /// The attributes a pod author may write in `volumeAttributes`; any other is refused.
    enum Attribute {
        static let credentialSpec = "credentialSpec"
        static let mountPath = "mountPath"
        static let uid = "uid"
        static let gid = "gid"
        static let all = [credentialSpec, mountPath, uid, gid]
    }

    /// The keys the kubelet adds to `volume_context` (`csi.storage.k8s.io/…`).
    enum KubeletKey {
        static let prefix = "csi.storage.k8s.io/"
        static let ephemeral = prefix + "ephemeral"
        static let podNamespace = prefix + "pod.namespace"
        static let podName = prefix + "pod.name"
        static let podUID = prefix + "pod.uid"
        static let serviceAccount = prefix + "serviceAccount.name"
        /// Tokens for the driver when the CSIDriver object asks for them (ccgd's does not): never read, never logged.
        static let serviceAccountTokens = prefix + "serviceAccount.tokens"
    }

    init(_ request: NodePublishVolumeRequest, kubeletDirectory: String) throws(RPCStatus) {
        guard !request.volumeID.isEmpty else { throw Self.invalid("volume_id is empty; the kubelet always sends one") }
        guard !request.targetPath.isEmpty else { throw Self.invalid("target_path is empty; the kubelet always sends one") }
        let context = request.volumeContext
        // Without pod information nothing can be authorized: the CSIDriver object must ask for it.
        guard let namespace = context[KubeletKey.podNamespace], let podName = context[KubeletKey.podName],
            let podUID = context[KubeletKey.podUID], let serviceAccount = context[KubeletKey.serviceAccount],
            !namespace.isEmpty, !podName.isEmpty, !podUID.isEmpty, !serviceAccount.isEmpty
        else {
            throw RPCStatus(
                code: .invalidArgument,
                message:
                    "volume \(request.volumeID) came without the pod's namespace, name, uid and service account; set podInfoOnMount: true in the CSIDriver object (deploy/kubernetes/csidriver.yaml)."
            )
        }
        pod = PodIdentity(namespace: namespace, name: podName, uid: podUID, serviceAccount: serviceAccount)
        guard context[KubeletKey.ephemeral] == "true" else {
            throw RPCStatus(
                code: .invalidArgument,
                message:
                    "pod \(pod): ccgd serves only ephemeral inline volumes (a csi volume in the pod's spec), not PersistentVolumes; declare the volume in the pod with driver, readOnly: true and volumeAttributes."
            )
        }
        target = try TargetPath(request.targetPath, kubeletDirectory: kubeletDirectory, pod: pod)
        volumeID = request.volumeID
        guard request.readonly else {
            throw Self.invalid("pod \(pod): the volume must be read-only; set readOnly: true in the pod's csi volume")
        }
        guard request.secrets.isEmpty else {
            throw Self.invalid("pod \(pod): ccgd takes no secrets with a volume; remove nodePublishSecretRef from the pod's csi volume")
        }
        let mount = try Self.mountVolume(request.volumeCapability, pod: pod)

        var unknown: [String] = []
        for key in context.keys.sorted() where !key.hasPrefix(KubeletKey.prefix) && !Attribute.all.contains(key) { unknown.append(key) }
        guard unknown.isEmpty else {
            throw Self.invalid(
                "pod \(pod): unknown volume attribute \(unknown.joined(separator: ", ")); the attributes are \(Attribute.all.joined(separator: ", "))")
        }
        guard let name = context[Attribute.credentialSpec], !name.isEmpty else {
            throw Self.invalid(
                "pod \(pod): the volume names no CredSpec; set volumeAttributes: {credentialSpec: NAME} to a CredSpec of ccgd's CredSpec directory")
        }
        do { credentialSpecName = try CredSpecName(name).stem } catch {
            throw Self.invalid("pod \(pod): credentialSpec \"\(name)\" is not a CredSpec's file name; give a name of ccgd's CredSpec directory, without a path")
        }
        let path = context[Attribute.mountPath] ?? LeaseLayout.defaultMountPath
        guard path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }), !path.utf8.contains(0) else {
            throw Self.invalid("pod \(pod): mountPath \"\(path)\" is not an absolute path; give the volumeMount's mountPath, e.g. /var/run/ccgd")
        }
        mountPath = LeaseLayout(mountPath: path).mountPath

        let uid = try Self.id(context[Attribute.uid], attribute: Attribute.uid, pod: pod)
        let gid = try Self.id(context[Attribute.gid], attribute: Attribute.gid, pod: pod)
        let fsGroup = try Self.id(mount.volumeMountGroup.isEmpty ? nil : mount.volumeMountGroup, attribute: "volume_mount_group (the pod's fsGroup)", pod: pod)
        if let gid, let fsGroup, gid != fsGroup {
            throw Self.invalid("pod \(pod): the gid attribute \(gid) differs from the pod's fsGroup \(fsGroup); drop the attribute or make them equal")
        }
        // The group reads only when the pod named one; otherwise the files are the owner's alone.
        let group = fsGroup ?? gid
        owner = LeaseOwner(uid: uid ?? 0, gid: group ?? 0)
        fileAccess = group == nil ? .owner : .group
    }

    /// The lease's container id: the pod and its volume, so that the lease is found again by
    /// volume id after any restart (the kubelet's unpublish names only the volume and target).
    var containerID: String { Self.containerPrefix + pod.uid + "/" + volumeID }

    static let containerPrefix = "csi:"

    /// Whether `lease` is the CSI lease of volume `volumeID`.
    static func isLease(_ lease: Lease, ofVolume volumeID: String) -> Bool {
        guard lease.frontEnd == CSINodeService.frontEnd, let id = lease.containerID, id.hasPrefix(containerPrefix) else { return false }
        return id.hasSuffix("/" + volumeID)
    }

    /// The volume capability: a mount (never a block device), without mount flags.
    private static func mountVolume(_ capability: VolumeCapability?, pod: PodIdentity) throws(RPCStatus) -> MountVolume {
        guard let capability else { throw invalid("pod \(pod): volume_capability is missing; the kubelet always sends one") }
        switch capability.accessType {
        case let .mount(mount)?:
            guard mount.mountFlags.isEmpty else {
                throw invalid("pod \(pod): ccgd's volume takes no mount options (\(mount.mountFlags.joined(separator: ","))); remove them")
            }
            return mount
        case .block?: throw invalid("pod \(pod): ccgd's volume is a directory of files, not a block device; use volumeMounts, not volumeDevices")
        case nil: throw invalid("pod \(pod): volume_capability has neither mount nor block; the kubelet always sends mount")
        }
    }

    /// A numeric uid or gid attribute.
    private static func id(_ text: String?, attribute: String, pod: PodIdentity) throws(RPCStatus) -> UInt32? {
        guard let text else { return nil }
        guard let value = UInt32(text), value != UInt32.max else {
            throw invalid("pod \(pod): \(attribute) \"\(text)\" is not a numeric id; give a number like 1000")
        }
        return value
    }

    private static func invalid(_ sentence: String) -> RPCStatus {
        RPCStatus(code: .invalidArgument, message: sentence + ".")
    }
}

/// The pod a volume is for, as the kubelet names it (`podInfoOnMount`).
struct PodIdentity: Sendable, Equatable, CustomStringConvertible {
    let namespace: String
    let name: String
    let uid: String
    let serviceAccount: String

    var description: String { namespace + "/" + name }
    /// `namespace/name` of the service account, as `kubernetes-service-accounts` grants it.
    var serviceAccountName: String { namespace + "/" + serviceAccount }
}

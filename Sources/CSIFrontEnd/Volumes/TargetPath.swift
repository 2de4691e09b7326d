import GRPCUnaryServer

/// Where the kubelet wants a pod's volume: `<kubelet directory>/pods/<pod uid>/volumes/kubernetes.io~csi/<volume name>/mount`.
/// The path is the kubelet's, never the pod author's; checking its shape and that it names the
/// pod the volume context names keeps a publish from mounting anywhere else on the node.
struct TargetPath: Sendable, Equatable, CustomStringConvertible {
    let path: String
    /// `<kubelet directory>/pods`, under which every target is.
    let podsDirectory: String
    /// The path below `podsDirectory`: `<pod uid>/volumes/kubernetes.io~csi/<volume name>/mount`.
    let relative: String
    let podUID: String

    init(_ path: String, kubeletDirectory: String, pod: PodIdentity) throws(RPCStatus) {
        try self.init(path, kubeletDirectory: kubeletDirectory)
        guard podUID == pod.uid else {
            throw RPCStatus(
                code: .invalidArgument,
                message: "pod \(pod): target_path \(path) is not a directory of pod uid \(pod.uid); only the kubelet's own paths are served.")
        }
    }

    /// A target path of any pod (NodeUnpublishVolume names no pod).
    init(_ path: String, kubeletDirectory: String) throws(RPCStatus) {
        let podsDirectory = (kubeletDirectory.hasSuffix("/") ? String(kubeletDirectory.dropLast()) : kubeletDirectory) + "/pods"
        let components =
            path.hasPrefix(podsDirectory + "/") ? path.dropFirst(podsDirectory.count + 1).split(separator: "/", omittingEmptySubsequences: false) : []
        guard components.count == 5, components[1] == "volumes", components[2] == "kubernetes.io~csi", components[4] == "mount",
            components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.utf8.contains(0) })
        else {
            throw RPCStatus(
                code: .invalidArgument,
                message:
                    "target_path \(path) is not a kubelet volume path (\(podsDirectory)/<pod uid>/volumes/kubernetes.io~csi/<volume>/mount); set kubelet-directory in [csi] of ccgd.conf to the kubelet's --root-dir."
            )
        }
        self.path = path
        self.podsDirectory = podsDirectory
        relative = components.joined(separator: "/")
        podUID = String(components[0])
    }

    /// The pod's own directory, `<pods directory>/<pod uid>`: the kubelet removes it once the pod is gone.
    var podDirectory: String { podsDirectory + "/" + podUID }

    var description: String { path }
}

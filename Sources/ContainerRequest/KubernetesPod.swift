/// The Kubernetes pod a container belongs to, as its runtime's annotations say: what the OCI hook
/// tells ccgd (`kubernetesPod` of `POST /v1/leases`), so that the daemon's per-CredSpec rule
/// (`oci-hook-in-pods`) decides whether a pod's container may get a gMSA without the CSI volume.
package struct KubernetesPod: Sendable, Equatable, CustomStringConvertible {
    package let namespace: String
    package let name: String

    /// What stands for a namespace or a name the annotations do not give (or give unreadably).
    package static let unknown = "unknown"

    /// The annotations each runtime puts on every container of a pod, namespace and name:
    /// CRI-O's (the kubelet's labels, which it also writes as annotations), then containerd's CRI plug-in's.
    package static let namespaceAnnotations = ["io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"]
    package static let nameAnnotations = ["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"]

    package init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The annotations under `io.kubernetes.` that mark no pod: CRI-O's own bookkeeping names,
    /// which Podman writes on every container too (`io.kubernetes.cri-o.Created`, `…TTY`, and
    /// `…ContainerType` in a Podman pod). A CRI-O pod's container also carries the kubelet's
    /// `io.kubernetes.pod.*`, so leaving these out loses no pod.
    package static let notAPodPrefix = "io.kubernetes.cri-o."

    /// Whether `key` says its container belongs to a Kubernetes pod.
    package static func marksAPod(_ key: String) -> Bool {
        key.hasPrefix(ContainerRequestKey.kubernetesAnnotationPrefix) && !key.hasPrefix(notAPodPrefix)
    }

    /// The pod of a container with these annotations, or nil when none marks a pod (`marksAPod`:
    /// any `io.kubernetes.` name but CRI-O's bookkeeping). Any such annotation makes it a pod's: a
    /// missing or unreadable namespace or name is `unknown`, never a reason to treat it as no pod.
    package init?(annotations: [String: String]) {
        guard annotations.keys.contains(where: Self.marksAPod) else { return nil }
        func first(_ keys: [String]) -> String {
            keys.lazy.compactMap { annotations[$0] }.first(where: Self.isReadable) ?? Self.unknown
        }
        self.init(namespace: first(Self.namespaceAnnotations), name: first(Self.nameAnnotations))
    }

    /// `namespace/name`, as kubectl names a pod.
    package var description: String { namespace + "/" + name }

    /// The longest namespace or name taken from an annotation (a pod's name is a DNS subdomain, at most 253).
    package static let longestPart = 253

    /// Whether `text` can stand in `namespace/name` unchanged: Kubernetes' names are DNS labels
    /// and subdomains, so anything else (a slash, a space, a control character) is not one.
    package static func isReadable(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= longestPart
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == ".")
            }
    }

    /// Reads `namespace/name` (the socket API's `kubernetesPod`): nil unless both parts are readable.
    package init?(text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isReadable(String(parts[0])), Self.isReadable(String(parts[1])) else { return nil }
        self.init(namespace: String(parts[0]), name: String(parts[1]))
    }
}

/// One thing a container may ask of ccgd, and the two ways it asks: an OCI annotation (read by
/// ccgd's OCI hook from the container's state) and an environment variable of the container's
/// process, for runtimes that cannot set annotations (Docker 20.10), which ccgd-runtime turns
/// into the same annotation before the hook runs.
package struct ContainerRequestKey: Sendable, Hashable {
    package let annotation: String
    package let environmentVariable: String

    /// The CredSpec's name in ccgd's CredSpec directory: its presence selects the container.
    package static let credentialSpec = ContainerRequestKey(annotation: "io.ccgd.credentialspec", environmentVariable: "CCGD_CREDENTIALSPEC")
    /// Where the lease directory appears inside the container (default: ccgd's, /var/run/ccgd).
    package static let mountPath = ContainerRequestKey(annotation: "io.ccgd.mount-path", environmentVariable: "CCGD_MOUNT_PATH")
    /// `none`: leave the container's /etc/krb5.conf alone.
    package static let krb5Conf = ContainerRequestKey(annotation: "io.ccgd.krb5conf", environmentVariable: "CCGD_KRB5CONF")

    /// Every key, the CredSpec's first.
    package static let all: [ContainerRequestKey] = [credentialSpec, mountPath, krb5Conf]

    /// The prefix of the annotations Kubernetes runtimes (CRI-O, containerd's CRI plug-in) put on
    /// every container of a pod: such a container gets a gMSA through the CSI volume, which checks
    /// the pod's service account, and by asking for it itself only where ccgd's configuration says
    /// `oci-hook-in-pods = yes` for that CredSpec (`KubernetesPod`, which also says which names
    /// under the prefix mark no pod: Podman writes some of CRI-O's on its own containers).
    package static let kubernetesAnnotationPrefix = "io.kubernetes."
}

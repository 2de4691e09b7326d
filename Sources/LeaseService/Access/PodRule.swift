import Configuration
import ContainerRequest

/// The rule for containers of Kubernetes pods that ask through a runtime hook: pods get a gMSA
/// through ccgd's CSI volume, which checks their namespace and service account; the hook can tell
/// only that a container is a pod's, so it serves a pod only a named CredSpec whose section says
/// `oci-hook-in-pods = yes`, and never an inline one.
extension PeerPolicy {
    /// Why a container of `pod` may not have a lease of the CredSpec named `text` (nil: an inline
    /// CredSpec), or nil when it may.
    package func podRefusal(_ pod: KubernetesPod, credentialSpecName text: String?) -> String? {
        guard let text else {
            return
                "the container belongs to Kubernetes pod \(pod), and an inline CredSpec is never served to a pod's container; pods get a gMSA through ccgd's CSI volume (README: Use it from Kubernetes)."
        }
        let name = ServiceConfiguration.CredSpecAccess.plainName(text)
        if credSpecs[name]?.ociHookInPods == true { return nil }
        return
            "the container belongs to Kubernetes pod \(pod), which may not use CredSpec \(name) through the OCI hook; pods get a gMSA through ccgd's CSI volume (README: Use it from Kubernetes), or set oci-hook-in-pods = yes in [credspec \"\(name)\"] of ccgd.conf to allow the hook."
    }

    /// Why `lease` (of any front end) may no longer be held because its pod's CredSpec no longer
    /// allows the hook, or nil: what start-up and every reload check.
    package func podRefusal(toKeep lease: Lease) -> String? {
        guard let pod = lease.kubernetesPod else { return nil }
        return podRefusal(pod, credentialSpecName: lease.credentialSpecName)
    }
}

import CSIWire
import Logging

/// The kubelet's plug-in registration (pluginregistration.Registration): the kubelet finds
/// ccgd's socket in its `plugins_registry` directory, asks GetInfo, registers the driver and
/// reports the outcome, so that no node-driver-registrar sidecar is needed.
struct KubeletRegistration: Sendable {
    let driverName: String
    /// The CSI endpoint as the kubelet reaches it.
    let endpoint: String
    let logger: Logger

    /// The CSI versions ccgd speaks, as the kubelet's CSI handler expects them.
    static let supportedVersions = ["1.0.0"]

    func info() -> PluginInfo {
        PluginInfo(name: driverName, endpoint: endpoint, supportedVersions: Self.supportedVersions)
    }

    func notify(_ status: RegistrationStatus) -> RegistrationStatusResponse {
        if status.pluginRegistered {
            logger.notice("the kubelet registered ccgd's CSI driver", metadata: ["driver": "\(driverName)", "endpoint": "\(endpoint)"])
        } else {
            logger.error(
                "the kubelet refused to register ccgd's CSI driver; check the driver name and the kubelet's log",
                metadata: ["driver": "\(driverName)", "error": "\(status.error)"])
        }
        return RegistrationStatusResponse()
    }
}

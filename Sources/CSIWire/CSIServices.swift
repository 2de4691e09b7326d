/// The services and methods ccgd's CSI node plug-in serves, as gRPC names them (`package.Service`
/// and the method's name): the front end routes by them, the tests call them.
package enum CSIService {
    package static let identity = "csi.v1.Identity"
    package static let node = "csi.v1.Node"
    /// The kubelet's plug-in registration API, on a socket of its own in `plugins_registry`.
    package static let registration = "pluginregistration.Registration"

    package enum IdentityMethod: String, CaseIterable, Sendable {
        case getPluginInfo = "GetPluginInfo"
        case getPluginCapabilities = "GetPluginCapabilities"
        case probe = "Probe"
    }

    package enum NodeMethod: String, CaseIterable, Sendable {
        case nodePublishVolume = "NodePublishVolume"
        case nodeUnpublishVolume = "NodeUnpublishVolume"
        case nodeGetCapabilities = "NodeGetCapabilities"
        case nodeGetInfo = "NodeGetInfo"
    }

    package enum RegistrationMethod: String, CaseIterable, Sendable {
        case getInfo = "GetInfo"
        case notifyRegistrationStatus = "NotifyRegistrationStatus"
    }
}

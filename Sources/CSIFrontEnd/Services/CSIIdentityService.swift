import CSIWire

/// The Identity service: the driver's name and version, its one capability (none: a node
/// plug-in without a controller), and whether the daemon is ready.
struct CSIIdentityService: Sendable {
    let driverName: String
    let vendorVersion: String
    /// Whether the daemon serves leases now (its health report is not degraded).
    let isReady: @Sendable () async -> Bool

    func pluginInfo() -> GetPluginInfoResponse {
        GetPluginInfoResponse(name: driverName, vendorVersion: vendorVersion)
    }

    /// No CONTROLLER_SERVICE: volumes are ephemeral and made on the node alone.
    func pluginCapabilities() -> GetPluginCapabilitiesResponse {
        GetPluginCapabilitiesResponse(capabilities: [])
    }

    func probe() async -> ProbeResponse {
        ProbeResponse(ready: await isReady())
    }
}

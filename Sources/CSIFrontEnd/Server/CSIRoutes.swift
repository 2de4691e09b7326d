import CSIWire
import GRPCUnaryServer
import ProtobufWire

/// The methods of each CSI socket by their gRPC path, each reading its request, calling its
/// service and writing the answer; any other method is UNIMPLEMENTED (the stream handler's
/// answer to an unknown path). Each connection's caller is whether its peer is root.
enum CSIRoutes {
    static func plugin(identity: CSIIdentityService, node: CSINodeService) -> GRPCRoutes<Bool> {
        var routes = GRPCRoutes<Bool>()
        routes.add(
            service: CSIService.identity,
            [
                CSIService.IdentityMethod.getPluginInfo.rawValue: { bytes, root in
                    try check(root, try read(bytes) as GetPluginInfoRequest)
                    return identity.pluginInfo().encoded()
                },
                CSIService.IdentityMethod.getPluginCapabilities.rawValue: { bytes, root in
                    try check(root, try read(bytes) as GetPluginCapabilitiesRequest)
                    return identity.pluginCapabilities().encoded()
                },
                CSIService.IdentityMethod.probe.rawValue: { bytes, root in
                    try check(root, try read(bytes) as ProbeRequest)
                    return await identity.probe().encoded()
                },
            ])
        routes.add(
            service: CSIService.node,
            [
                CSIService.NodeMethod.nodePublishVolume.rawValue: { bytes, root in
                    try await node.publish(try check(root, try read(bytes))).encoded()
                },
                CSIService.NodeMethod.nodeUnpublishVolume.rawValue: { bytes, root in
                    try await node.unpublish(try check(root, try read(bytes))).encoded()
                },
                CSIService.NodeMethod.nodeGetCapabilities.rawValue: { bytes, root in
                    try check(root, try read(bytes) as NodeGetCapabilitiesRequest)
                    return node.capabilities().encoded()
                },
                CSIService.NodeMethod.nodeGetInfo.rawValue: { bytes, root in
                    try check(root, try read(bytes) as NodeGetInfoRequest)
                    return await node.info().encoded()
                },
            ])
        return routes
    }

    static func registration(_ registration: KubeletRegistration) -> GRPCRoutes<Bool> {
        GRPCRoutes(
            service: CSIService.registration,
            [
                CSIService.RegistrationMethod.getInfo.rawValue: { bytes, root in
                    try check(root, try read(bytes) as InfoRequest)
                    return registration.info().encoded()
                },
                CSIService.RegistrationMethod.notifyRegistrationStatus.rawValue: { bytes, root in
                    registration.notify(try check(root, try read(bytes))).encoded()
                },
            ])
    }

    /// `request`, once the caller is known to be root.
    @discardableResult
    static func check<Request>(_ root: Bool, _ request: Request) throws(RPCStatus) -> Request {
        guard root else { throw CSIStatus.notRoot }
        return request
    }

    static func read<Request: CSIRequest>(_ bytes: [UInt8]) throws(RPCStatus) -> Request {
        do { return try Request(decoding: bytes) } catch {
            throw RPCStatus(
                code: .invalidArgument, message: "the request is not a valid \(Request.self) message (\(error)); send the message csi.proto defines.")
        }
    }
}

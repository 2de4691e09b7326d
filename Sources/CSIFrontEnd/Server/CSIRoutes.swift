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
                CSIService.IdentityMethod.getPluginInfo.rawValue: rootOnly { (_: GetPluginInfoRequest) in identity.pluginInfo() },
                CSIService.IdentityMethod.getPluginCapabilities.rawValue: rootOnly { (_: GetPluginCapabilitiesRequest) in
                    identity.pluginCapabilities()
                },
                CSIService.IdentityMethod.probe.rawValue: rootOnly { (_: ProbeRequest) in await identity.probe() },
            ])
        routes.add(
            service: CSIService.node,
            [
                CSIService.NodeMethod.nodePublishVolume.rawValue: rootOnly { try await node.publish($0) },
                CSIService.NodeMethod.nodeUnpublishVolume.rawValue: rootOnly { try await node.unpublish($0) },
                CSIService.NodeMethod.nodeGetCapabilities.rawValue: rootOnly { (_: NodeGetCapabilitiesRequest) in node.capabilities() },
                CSIService.NodeMethod.nodeGetInfo.rawValue: rootOnly { (_: NodeGetInfoRequest) in await node.info() },
            ])
        return routes
    }

    static func registration(_ registration: KubeletRegistration) -> GRPCRoutes<Bool> {
        GRPCRoutes(
            service: CSIService.registration,
            [
                CSIService.RegistrationMethod.getInfo.rawValue: rootOnly { (_: InfoRequest) in registration.info() },
                CSIService.RegistrationMethod.notifyRegistrationStatus.rawValue: rootOnly { registration.notify($0) },
            ])
    }

    /// A method for root's connections only: its request read (a malformed one is
    /// INVALID_ARGUMENT), then refused unless the caller is root, then answered by `answer`.
    static func rootOnly<Request: CSIRequest, Response: CSIResponse>(
        _ answer: @escaping @Sendable (Request) async throws -> Response
    ) -> GRPCRoutes<Bool>.Handler {
        { bytes, root in
            let request: Request = try read(bytes)
            guard root else { throw CSIStatus.notRoot }
            return try await answer(request).encoded()
        }
    }

    static func read<Request: CSIRequest>(_ bytes: [UInt8]) throws(RPCStatus) -> Request {
        do { return try Request(decoding: bytes) } catch {
            throw RPCStatus(
                code: .invalidArgument, message: "the request is not a valid \(Request.self) message (\(error)); send the message csi.proto defines.")
        }
    }
}

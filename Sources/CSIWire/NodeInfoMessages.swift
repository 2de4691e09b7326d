import ProtobufWire

/// `NodeGetInfoRequest{}`.
package struct NodeGetInfoRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `NodeGetInfoResponse{string node_id = 1; int64 max_volumes_per_node = 2; Topology
/// accessible_topology = 3}`, `Topology{map<string, string> segments = 1}`.
package struct NodeGetInfoResponse: CSIResponse, Equatable {
    package var nodeID: String
    /// 0: the kubelet sets no limit.
    package var maxVolumesPerNode: Int64
    /// nil leaves the field out; an empty map writes an empty `Topology`.
    package var accessibleTopology: [String: String]?

    package init(nodeID: String, maxVolumesPerNode: Int64 = 0, accessibleTopology: [String: String]? = nil) {
        self.nodeID = nodeID
        self.maxVolumesPerNode = maxVolumesPerNode
        self.accessibleTopology = accessibleTopology
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: nodeID)
        writer.write(2, int64: maxVolumesPerNode)
        if let accessibleTopology { writer.write(3) { $0.write(1, map: accessibleTopology) } }
    }
}

/// `NodeGetCapabilitiesRequest{}`.
package struct NodeGetCapabilitiesRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `NodeGetCapabilitiesResponse{repeated NodeServiceCapability capabilities = 1}`.
package struct NodeGetCapabilitiesResponse: CSIResponse, Equatable {
    package var capabilities: [NodeServiceCapability]

    package init(capabilities: [NodeServiceCapability] = []) {
        self.capabilities = capabilities
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, messages: capabilities)
    }
}

/// `NodeServiceCapability{oneof type {RPC rpc = 1}}`, `RPC{Type type = 1}`.
package enum NodeServiceCapability: ProtobufEncodable, Equatable {
    case rpc(RPCType)

    /// `NodeServiceCapability.RPC.Type`.
    package struct RPCType: RawRepresentable, Equatable, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let unknown = Self(rawValue: 0)
        package static let stageUnstageVolume = Self(rawValue: 1)
        package static let getVolumeStats = Self(rawValue: 2)
        package static let expandVolume = Self(rawValue: 3)
        package static let volumeCondition = Self(rawValue: 4)
        package static let singleNodeMultiWriter = Self(rawValue: 5)
        /// The kubelet then passes the pod's fsGroup as `volume_mount_group`.
        package static let volumeMountGroup = Self(rawValue: 6)
    }

    package func encode(to writer: inout ProtobufWriter) {
        switch self {
        case let .rpc(type): writer.write(1) { $0.write(1, int32: type.rawValue) }
        }
    }
}

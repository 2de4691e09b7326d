import ProtobufWire

/// `GetPluginInfoRequest{}`.
package struct GetPluginInfoRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `GetPluginInfoResponse{string name = 1; string vendor_version = 2; map<string, string> manifest = 3}`.
package struct GetPluginInfoResponse: CSIResponse, Equatable {
    /// The driver's name (a domain name: the CSIDriver object's and the pods' volumes').
    package var name: String
    package var vendorVersion: String
    package var manifest: [String: String]

    package init(name: String, vendorVersion: String, manifest: [String: String] = [:]) {
        self.name = name
        self.vendorVersion = vendorVersion
        self.manifest = manifest
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: name)
        writer.write(2, string: vendorVersion)
        writer.write(3, map: manifest)
    }
}

/// `GetPluginCapabilitiesRequest{}`.
package struct GetPluginCapabilitiesRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `GetPluginCapabilitiesResponse{repeated PluginCapability capabilities = 1}`.
package struct GetPluginCapabilitiesResponse: CSIResponse, Equatable {
    package var capabilities: [PluginCapability]

    package init(capabilities: [PluginCapability] = []) {
        self.capabilities = capabilities
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, messages: capabilities)
    }
}

/// `PluginCapability{oneof type {Service service = 1; VolumeExpansion volume_expansion = 2}}`,
/// each `{Type type = 1}`.
package enum PluginCapability: ProtobufEncodable, Equatable {
    case service(ServiceType)
    case volumeExpansion(VolumeExpansionType)

    /// `PluginCapability.Service.Type`.
    package struct ServiceType: RawRepresentable, Equatable, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let unknown = Self(rawValue: 0)
        package static let controllerService = Self(rawValue: 1)
        package static let volumeAccessibilityConstraints = Self(rawValue: 2)
        package static let groupControllerService = Self(rawValue: 3)
        package static let snapshotMetadataService = Self(rawValue: 4)
    }

    /// `PluginCapability.VolumeExpansion.Type`.
    package struct VolumeExpansionType: RawRepresentable, Equatable, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let unknown = Self(rawValue: 0)
        package static let online = Self(rawValue: 1)
        package static let offline = Self(rawValue: 2)
    }

    package func encode(to writer: inout ProtobufWriter) {
        switch self {
        case let .service(type): writer.write(1) { $0.write(1, int32: type.rawValue) }
        case let .volumeExpansion(type): writer.write(2) { $0.write(1, int32: type.rawValue) }
        }
    }
}

/// `ProbeRequest{}`.
package struct ProbeRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `ProbeResponse{google.protobuf.BoolValue ready = 1}`: nil leaves `ready` out (the plug-in is
/// ready if it answers at all), false says "not ready yet" (BoolValue's `value = 1` left out).
package struct ProbeResponse: CSIResponse, Equatable {
    package var ready: Bool?

    package init(ready: Bool?) {
        self.ready = ready
    }

    package func encode(to writer: inout ProtobufWriter) {
        if let ready { writer.write(1) { $0.write(1, bool: ready) } }
    }
}

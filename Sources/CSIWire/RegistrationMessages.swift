import ProtobufWire

/// `pluginregistration.InfoRequest{}`: the kubelet's first question on the registration socket.
package struct InfoRequest: CSIRequest, Equatable {
    package init() {}
    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) { try reader.skipAll() }
}

/// `pluginregistration.PluginInfo{string type = 1; string name = 2; string endpoint = 3;
/// repeated string supported_versions = 4}`.
package struct PluginInfo: CSIResponse, Equatable {
    /// What the kubelet registers a CSI driver as.
    package static let csiPluginType = "CSIPlugin"

    package var type: String
    /// The driver's name.
    package var name: String
    /// The CSI socket's path (the kubelet connects to it; the registration socket is another).
    package var endpoint: String
    package var supportedVersions: [String]

    package init(type: String = PluginInfo.csiPluginType, name: String, endpoint: String, supportedVersions: [String]) {
        self.type = type
        self.name = name
        self.endpoint = endpoint
        self.supportedVersions = supportedVersions
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: type)
        writer.write(2, string: name)
        writer.write(3, string: endpoint)
        writer.write(4, strings: supportedVersions)
    }
}

/// `pluginregistration.RegistrationStatus{bool plugin_registered = 1; string error = 2}`: whether
/// the kubelet took the plug-in, and why not.
package struct RegistrationStatus: CSIRequest, Equatable {
    package var pluginRegistered = false
    package var error = ""

    package init() {}

    package init(pluginRegistered: Bool, error: String = "") {
        self.pluginRegistered = pluginRegistered
        self.error = error
    }

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .varint): pluginRegistered = try field.bool()
            case (2, .lengthDelimited): error = try field.string()
            default: break
            }
        }
    }
}

/// `pluginregistration.RegistrationStatusResponse{}`.
package struct RegistrationStatusResponse: CSIResponse, Equatable {
    package init() {}
    package func encode(to writer: inout ProtobufWriter) {}
}

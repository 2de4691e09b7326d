import ProtobufWire

/// `NodePublishVolumeRequest{string volume_id = 1; map<string, string> publish_context = 2;
/// string staging_target_path = 3; string target_path = 4; VolumeCapability volume_capability = 5;
/// bool readonly = 6; map<string, string> secrets = 7; map<string, string> volume_context = 8}`.
/// For an ephemeral inline volume the kubelet sends the pod's volume attributes in
/// `volume_context`, with `csi.storage.k8s.io/ephemeral` and, with `podInfoOnMount`, the pod's
/// namespace, name, uid and service account. Its description leaves the secrets' values out.
package struct NodePublishVolumeRequest: CSIRequest, Equatable, CustomStringConvertible {
    package var volumeID = ""
    package var publishContext: [String: String] = [:]
    package var stagingTargetPath = ""
    package var targetPath = ""
    package var volumeCapability: VolumeCapability?
    package var readonly = false
    package var secrets = VolumeSecrets()
    package var volumeContext: [String: String] = [:]

    package init() {}

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): volumeID = try field.string()
            case (2, .lengthDelimited):
                let entry = try field.stringMapEntry()
                publishContext[entry.key] = entry.value
            case (3, .lengthDelimited): stagingTargetPath = try field.string()
            case (4, .lengthDelimited): targetPath = try field.string()
            case (5, .lengthDelimited): try field.merge(into: &volumeCapability)
            case (6, .varint): readonly = try field.bool()
            case (7, .lengthDelimited): try secrets.add(field)
            case (8, .lengthDelimited):
                let entry = try field.stringMapEntry()
                volumeContext[entry.key] = entry.value
            default: break
            }
        }
    }

    package var description: String {
        "NodePublishVolumeRequest(volume_id: \(volumeID), target_path: \(targetPath), readonly: \(readonly), "
            + "volume_capability: \(volumeCapability.map { "\($0)" } ?? "none"), volume_context: \(volumeContext), "
            + "publish_context: \(publishContext), staging_target_path: \(stagingTargetPath), secrets: \(secrets))"
    }
}

/// `NodePublishVolumeResponse{}`.
package struct NodePublishVolumeResponse: CSIResponse, Equatable {
    package init() {}
    package func encode(to writer: inout ProtobufWriter) {}
}

/// `NodeUnpublishVolumeRequest{string volume_id = 1; string target_path = 2}`.
package struct NodeUnpublishVolumeRequest: CSIRequest, Equatable {
    package var volumeID = ""
    package var targetPath = ""

    package init() {}

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): volumeID = try field.string()
            case (2, .lengthDelimited): targetPath = try field.string()
            default: break
            }
        }
    }
}

/// `NodeUnpublishVolumeResponse{}`.
package struct NodeUnpublishVolumeResponse: CSIResponse, Equatable {
    package init() {}
    package func encode(to writer: inout ProtobufWriter) {}
}

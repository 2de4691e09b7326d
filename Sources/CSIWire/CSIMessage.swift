import ProtobufWire

// The messages of the CSI v1 subset ccgd serves (csi.proto, package csi.v1) and of the kubelet's
// plug-in registration API (pluginregistration.proto), read and written by hand on ProtobufWire:
// the requests are only read, the responses only written, as a server needs. Field numbers are
// those of the two .proto files beside this one (checked against the specification's); a known
// field of another wire type is skipped like an unknown one, as protobuf's own readers do.

/// A request the server reads (`init(decoding:)`).
package protocol CSIRequest: ProtobufDecodable {}

/// A response the server writes (`encoded()`).
package protocol CSIResponse: ProtobufEncodable {}

extension ProtobufReader {
    /// Reads past every field: the requests without fields still must be well-formed messages.
    mutating func skipAll() throws(ProtobufError) {
        while try next() != nil {}
    }
}

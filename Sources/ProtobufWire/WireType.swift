/// How a field's value is laid out on the wire (protobuf's encoding guide, "Message Structure"):
/// the four proto3 uses. Groups (3 and 4, proto2's) and 6, 7 are refused when read.
package enum WireType: UInt8, Sendable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5

    package var description: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "64-bit"
        case .lengthDelimited: "length-delimited"
        case .fixed32: "32-bit"
        }
    }
}

/// The largest field number protobuf allows (2^29 - 1).
package let maximumFieldNumber = (1 << 29) - 1

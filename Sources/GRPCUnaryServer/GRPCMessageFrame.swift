/// gRPC's framing of a message in an HTTP/2 stream's data (grpc/doc/PROTOCOL-HTTP2.md,
/// "Length-Prefixed-Message"): a flag byte (1: compressed), a big-endian 32-bit length, the bytes.
/// A unary request is exactly one such message; anything before, after or short of it is refused,
/// so that no request is served from part of what the client sent.
package enum GRPCMessageFrame {
    /// Why the data of a unary request is not one message.
    package enum Problem: Error, Equatable, CustomStringConvertible {
        /// The stream ended before a whole prefix came (a call without a message).
        case noMessage
        /// The flag says compressed: ccgd offers no `grpc-encoding`, so no client may compress.
        case compressed
        /// The prefix's length and the bytes that came differ (truncated, or more than one message).
        case notOneWholeMessage(declared: UInt32, received: Int)

        package var description: String {
            switch self {
            case .noMessage: "a unary call needs exactly one request message; none came"
            case .compressed: "ccgd reads uncompressed messages only; call without grpc-encoding"
            case let .notOneWholeMessage(declared, received):
                "a unary call needs exactly one whole request message; its prefix says \(declared) bytes and \(received) came"
            }
        }
    }

    /// The bytes of the one message framed in `data`.
    package static func unaryMessage(in data: [UInt8]) throws(Problem) -> ArraySlice<UInt8> {
        guard data.count >= 5 else { throw .noMessage }
        guard data[0] == 0 else { throw .compressed }
        let declared = data[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int(declared) == data.count - 5 else { throw .notOneWholeMessage(declared: declared, received: data.count - 5) }
        return data[5...]
    }

    /// `message` framed, uncompressed.
    package static func framed(_ message: [UInt8]) -> [UInt8] {
        let length = UInt32(message.count)
        return [0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + message
    }
}

/// A failed RPC as the client sees it: a gRPC status code and one sentence.
package struct RPCStatus: Error, Equatable, CustomStringConvertible {
    /// gRPC's status codes (grpc/doc/statuscodes.md), those ccgd answers.
    package enum Code: Int, Sendable {
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case unimplemented = 12
        case internalError = 13
        case unavailable = 14
        case unauthenticated = 16
    }

    package let code: Code
    package let message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code) (\(code.rawValue)): \(message)" }

    /// `grpc-message`: the message percent-encoded (every byte outside 0x20…0x7E, and '%').
    package var encodedMessage: String {
        var encoded = ""
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return encoded
    }
}

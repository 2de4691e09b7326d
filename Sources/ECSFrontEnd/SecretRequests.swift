import CCGPlugin
import FoundationEssentials
import SwiftProtobuf

// The two requests that carry the portable user's password, as the server decodes them: the
// contract's `string password` is read as `bytes` (the same wire type, length-delimited), copied
// into wiped storage (`Password`), and the decoder's own copy is zeroed at once, so no Swift
// String of it is ever made. What stays out of reach: the transport's buffers (the HTTP/2 frame
// and the gRPC message bytes in NIO's ByteBuffers), which are released but not zeroed.
// `traverse` never visits the password: printing, hashing or re-encoding one leaves it out.

/// `CreateNonDomainJoinedKerberosLeaseRequest{repeated string credspec_contents = 1; string
/// username = 2; string password = 3; string domain = 4}`, for decoding only.
struct SecretCreateNonDomainJoinedRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    static let protoMessageName = "credentialsfetcher.CreateNonDomainJoinedKerberosLeaseRequest"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}credspec_contents\0\u{1}username\0\u{1}password\0\u{1}domain\0")

    var credspecContents: [String] = []
    var username = ""
    var password = Password("")
    var domain = ""
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let fieldNumber = try decoder.nextFieldNumber() {
            switch fieldNumber {
            case 1: try decoder.decodeRepeatedStringField(value: &credspecContents)
            case 2: try decoder.decodeSingularStringField(value: &username)
            case 3: password = try SecretField.decodePassword(&decoder)
            case 4: try decoder.decodeSingularStringField(value: &domain)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !credspecContents.isEmpty { try visitor.visitRepeatedStringField(value: credspecContents, fieldNumber: 1) }
        if !username.isEmpty { try visitor.visitSingularStringField(value: username, fieldNumber: 2) }
        if !domain.isEmpty { try visitor.visitSingularStringField(value: domain, fieldNumber: 4) }
        try unknownFields.traverse(visitor: &visitor)
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.credspecContents == rhs.credspecContents && lhs.username == rhs.username && lhs.password == rhs.password
            && lhs.domain == rhs.domain && lhs.unknownFields == rhs.unknownFields
    }
}

/// `RenewNonDomainJoinedKerberosLeaseRequest{string username = 1; string password = 2; string
/// domain = 3}`, for decoding only.
struct SecretRenewNonDomainJoinedRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
    static let protoMessageName = "credentialsfetcher.RenewNonDomainJoinedKerberosLeaseRequest"
    static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}username\0\u{1}password\0\u{1}domain\0")

    var username = ""
    var password = Password("")
    var domain = ""
    var unknownFields = SwiftProtobuf.UnknownStorage()

    init() {}

    mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
        while let fieldNumber = try decoder.nextFieldNumber() {
            switch fieldNumber {
            case 1: try decoder.decodeSingularStringField(value: &username)
            case 2: password = try SecretField.decodePassword(&decoder)
            case 3: try decoder.decodeSingularStringField(value: &domain)
            default: break
            }
        }
    }

    func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
        if !username.isEmpty { try visitor.visitSingularStringField(value: username, fieldNumber: 1) }
        if !domain.isEmpty { try visitor.visitSingularStringField(value: domain, fieldNumber: 3) }
        try unknownFields.traverse(visitor: &visitor)
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.username == rhs.username && lhs.password == rhs.password && lhs.domain == rhs.domain && lhs.unknownFields == rhs.unknownFields
    }
}

enum SecretField {
    /// The field's bytes in wiped storage; the decoder's copy (only this function holds it) zeroed.
    static func decodePassword<D: SwiftProtobuf.Decoder>(_ decoder: inout D) throws -> Password {
        var bytes = Data()
        try decoder.decodeSingularBytesField(value: &bytes)
        let password = Password(utf8: bytes)
        bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        return password
    }
}

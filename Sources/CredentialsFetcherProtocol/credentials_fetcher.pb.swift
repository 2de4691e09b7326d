// DO NOT EDIT.
// swift-format-ignore-file
// swiftlint:disable all
//
// Generated for swift-protobuf 1.39.0 in the form protoc-gen-swift writes, from the file:
// credentials_fetcher.proto (package credentialsfetcher). Regenerate it when the .proto changes;
// the build itself never runs protoc.

import SwiftProtobuf

fileprivate struct _GeneratedWithProtocGenSwiftVersion: SwiftProtobuf.ProtobufAPIVersionCheck {
  struct _2: SwiftProtobuf.ProtobufAPIVersion_2 {}
  typealias Version = _2
}

public struct Credentialsfetcher_CreateKerberosLeaseRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var credspecContents: [String] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_CreateKerberosLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var leaseID: String = String()

  public var createdKerberosFilePaths: [String] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var credspecContents: [String] = []

  public var username: String = String()

  public var password: String = String()

  public var domain: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var leaseID: String = String()

  public var createdKerberosFilePaths: [String] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var username: String = String()

  public var password: String = String()

  public var domain: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var renewedKerberosFilePaths: [String] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_DeleteKerberosLeaseRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var leaseID: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_DeleteKerberosLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var leaseID: String = String()

  public var deletedKerberosFilePaths: [String] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_HealthCheckRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var service: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_HealthCheckResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var status: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_KerberosArnLeaseRequest: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var credspecArns: [String] = []

  public var accessKeyID: String = String()

  public var secretAccessKey: String = String()

  public var sessionToken: String = String()

  public var region: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_KerberosTicketArnResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var credspecArns: String = String()

  public var createdKerberosFilePaths: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_CreateKerberosArnLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var leaseID: String = String()

  public var krbTicketResponseMap: [Credentialsfetcher_KerberosTicketArnResponse] = []

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

public struct Credentialsfetcher_RenewKerberosArnLeaseResponse: Sendable {
  // SwiftProtobuf.Message conformance is added in an extension below.

  public var status: String = String()

  public var unknownFields = SwiftProtobuf.UnknownStorage()

  public init() {}
}

// MARK: - Code below here is support for the SwiftProtobuf runtime.

fileprivate let _protobuf_package = "credentialsfetcher"

extension Credentialsfetcher_CreateKerberosLeaseRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".CreateKerberosLeaseRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}credspec_contents\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeRepeatedStringField(value: &self.credspecContents) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.credspecContents.isEmpty {
      try visitor.visitRepeatedStringField(value: self.credspecContents, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_CreateKerberosLeaseRequest, rhs: Credentialsfetcher_CreateKerberosLeaseRequest) -> Bool {
    if lhs.credspecContents != rhs.credspecContents {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_CreateKerberosLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".CreateKerberosLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}lease_id\0\u{3}created_kerberos_file_paths\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.leaseID) }()
      case 2: try { try decoder.decodeRepeatedStringField(value: &self.createdKerberosFilePaths) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.leaseID.isEmpty {
      try visitor.visitSingularStringField(value: self.leaseID, fieldNumber: 1)
    }
    if !self.createdKerberosFilePaths.isEmpty {
      try visitor.visitRepeatedStringField(value: self.createdKerberosFilePaths, fieldNumber: 2)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_CreateKerberosLeaseResponse, rhs: Credentialsfetcher_CreateKerberosLeaseResponse) -> Bool {
    if lhs.leaseID != rhs.leaseID {return false}
    if lhs.createdKerberosFilePaths != rhs.createdKerberosFilePaths {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".CreateNonDomainJoinedKerberosLeaseRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}credspec_contents\0\u{1}username\0\u{1}password\0\u{1}domain\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeRepeatedStringField(value: &self.credspecContents) }()
      case 2: try { try decoder.decodeSingularStringField(value: &self.username) }()
      case 3: try { try decoder.decodeSingularStringField(value: &self.password) }()
      case 4: try { try decoder.decodeSingularStringField(value: &self.domain) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.credspecContents.isEmpty {
      try visitor.visitRepeatedStringField(value: self.credspecContents, fieldNumber: 1)
    }
    if !self.username.isEmpty {
      try visitor.visitSingularStringField(value: self.username, fieldNumber: 2)
    }
    if !self.password.isEmpty {
      try visitor.visitSingularStringField(value: self.password, fieldNumber: 3)
    }
    if !self.domain.isEmpty {
      try visitor.visitSingularStringField(value: self.domain, fieldNumber: 4)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest, rhs: Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest) -> Bool {
    if lhs.credspecContents != rhs.credspecContents {return false}
    if lhs.username != rhs.username {return false}
    if lhs.password != rhs.password {return false}
    if lhs.domain != rhs.domain {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".CreateNonDomainJoinedKerberosLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}lease_id\0\u{3}created_kerberos_file_paths\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.leaseID) }()
      case 2: try { try decoder.decodeRepeatedStringField(value: &self.createdKerberosFilePaths) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.leaseID.isEmpty {
      try visitor.visitSingularStringField(value: self.leaseID, fieldNumber: 1)
    }
    if !self.createdKerberosFilePaths.isEmpty {
      try visitor.visitRepeatedStringField(value: self.createdKerberosFilePaths, fieldNumber: 2)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse, rhs: Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse) -> Bool {
    if lhs.leaseID != rhs.leaseID {return false}
    if lhs.createdKerberosFilePaths != rhs.createdKerberosFilePaths {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".RenewNonDomainJoinedKerberosLeaseRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}username\0\u{1}password\0\u{1}domain\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.username) }()
      case 2: try { try decoder.decodeSingularStringField(value: &self.password) }()
      case 3: try { try decoder.decodeSingularStringField(value: &self.domain) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.username.isEmpty {
      try visitor.visitSingularStringField(value: self.username, fieldNumber: 1)
    }
    if !self.password.isEmpty {
      try visitor.visitSingularStringField(value: self.password, fieldNumber: 2)
    }
    if !self.domain.isEmpty {
      try visitor.visitSingularStringField(value: self.domain, fieldNumber: 3)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest, rhs: Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest) -> Bool {
    if lhs.username != rhs.username {return false}
    if lhs.password != rhs.password {return false}
    if lhs.domain != rhs.domain {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".RenewNonDomainJoinedKerberosLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}renewed_kerberos_file_paths\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeRepeatedStringField(value: &self.renewedKerberosFilePaths) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.renewedKerberosFilePaths.isEmpty {
      try visitor.visitRepeatedStringField(value: self.renewedKerberosFilePaths, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse, rhs: Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse) -> Bool {
    if lhs.renewedKerberosFilePaths != rhs.renewedKerberosFilePaths {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_DeleteKerberosLeaseRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".DeleteKerberosLeaseRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}lease_id\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.leaseID) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.leaseID.isEmpty {
      try visitor.visitSingularStringField(value: self.leaseID, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_DeleteKerberosLeaseRequest, rhs: Credentialsfetcher_DeleteKerberosLeaseRequest) -> Bool {
    if lhs.leaseID != rhs.leaseID {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_DeleteKerberosLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".DeleteKerberosLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}lease_id\0\u{3}deleted_kerberos_file_paths\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.leaseID) }()
      case 2: try { try decoder.decodeRepeatedStringField(value: &self.deletedKerberosFilePaths) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.leaseID.isEmpty {
      try visitor.visitSingularStringField(value: self.leaseID, fieldNumber: 1)
    }
    if !self.deletedKerberosFilePaths.isEmpty {
      try visitor.visitRepeatedStringField(value: self.deletedKerberosFilePaths, fieldNumber: 2)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_DeleteKerberosLeaseResponse, rhs: Credentialsfetcher_DeleteKerberosLeaseResponse) -> Bool {
    if lhs.leaseID != rhs.leaseID {return false}
    if lhs.deletedKerberosFilePaths != rhs.deletedKerberosFilePaths {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_HealthCheckRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".HealthCheckRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}service\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.service) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.service.isEmpty {
      try visitor.visitSingularStringField(value: self.service, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_HealthCheckRequest, rhs: Credentialsfetcher_HealthCheckRequest) -> Bool {
    if lhs.service != rhs.service {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_HealthCheckResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".HealthCheckResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}status\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.status) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.status.isEmpty {
      try visitor.visitSingularStringField(value: self.status, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_HealthCheckResponse, rhs: Credentialsfetcher_HealthCheckResponse) -> Bool {
    if lhs.status != rhs.status {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_KerberosArnLeaseRequest: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".KerberosArnLeaseRequest"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}credspec_arns\0\u{3}access_key_id\0\u{3}secret_access_key\0\u{3}session_token\0\u{1}region\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeRepeatedStringField(value: &self.credspecArns) }()
      case 2: try { try decoder.decodeSingularStringField(value: &self.accessKeyID) }()
      case 3: try { try decoder.decodeSingularStringField(value: &self.secretAccessKey) }()
      case 4: try { try decoder.decodeSingularStringField(value: &self.sessionToken) }()
      case 5: try { try decoder.decodeSingularStringField(value: &self.region) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.credspecArns.isEmpty {
      try visitor.visitRepeatedStringField(value: self.credspecArns, fieldNumber: 1)
    }
    if !self.accessKeyID.isEmpty {
      try visitor.visitSingularStringField(value: self.accessKeyID, fieldNumber: 2)
    }
    if !self.secretAccessKey.isEmpty {
      try visitor.visitSingularStringField(value: self.secretAccessKey, fieldNumber: 3)
    }
    if !self.sessionToken.isEmpty {
      try visitor.visitSingularStringField(value: self.sessionToken, fieldNumber: 4)
    }
    if !self.region.isEmpty {
      try visitor.visitSingularStringField(value: self.region, fieldNumber: 5)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_KerberosArnLeaseRequest, rhs: Credentialsfetcher_KerberosArnLeaseRequest) -> Bool {
    if lhs.credspecArns != rhs.credspecArns {return false}
    if lhs.accessKeyID != rhs.accessKeyID {return false}
    if lhs.secretAccessKey != rhs.secretAccessKey {return false}
    if lhs.sessionToken != rhs.sessionToken {return false}
    if lhs.region != rhs.region {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_KerberosTicketArnResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".KerberosTicketArnResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}credspec_arns\0\u{3}created_kerberos_file_paths\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.credspecArns) }()
      case 2: try { try decoder.decodeSingularStringField(value: &self.createdKerberosFilePaths) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.credspecArns.isEmpty {
      try visitor.visitSingularStringField(value: self.credspecArns, fieldNumber: 1)
    }
    if !self.createdKerberosFilePaths.isEmpty {
      try visitor.visitSingularStringField(value: self.createdKerberosFilePaths, fieldNumber: 2)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_KerberosTicketArnResponse, rhs: Credentialsfetcher_KerberosTicketArnResponse) -> Bool {
    if lhs.credspecArns != rhs.credspecArns {return false}
    if lhs.createdKerberosFilePaths != rhs.createdKerberosFilePaths {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_CreateKerberosArnLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".CreateKerberosArnLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{3}lease_id\0\u{3}krb_ticket_response_map\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.leaseID) }()
      case 2: try { try decoder.decodeRepeatedMessageField(value: &self.krbTicketResponseMap) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.leaseID.isEmpty {
      try visitor.visitSingularStringField(value: self.leaseID, fieldNumber: 1)
    }
    if !self.krbTicketResponseMap.isEmpty {
      try visitor.visitRepeatedMessageField(value: self.krbTicketResponseMap, fieldNumber: 2)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_CreateKerberosArnLeaseResponse, rhs: Credentialsfetcher_CreateKerberosArnLeaseResponse) -> Bool {
    if lhs.leaseID != rhs.leaseID {return false}
    if lhs.krbTicketResponseMap != rhs.krbTicketResponseMap {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

extension Credentialsfetcher_RenewKerberosArnLeaseResponse: SwiftProtobuf.Message, SwiftProtobuf._MessageImplementationBase, SwiftProtobuf._ProtoNameProviding {
  public static let protoMessageName: String = _protobuf_package + ".RenewKerberosArnLeaseResponse"
  public static let _protobuf_nameMap = SwiftProtobuf._NameMap(bytecode: "\0\u{1}status\0")

  public mutating func decodeMessage<D: SwiftProtobuf.Decoder>(decoder: inout D) throws {
    while let fieldNumber = try decoder.nextFieldNumber() {
      switch fieldNumber {
      case 1: try { try decoder.decodeSingularStringField(value: &self.status) }()
      default: break
      }
    }
  }

  public func traverse<V: SwiftProtobuf.Visitor>(visitor: inout V) throws {
    if !self.status.isEmpty {
      try visitor.visitSingularStringField(value: self.status, fieldNumber: 1)
    }
    try unknownFields.traverse(visitor: &visitor)
  }

  public static func ==(lhs: Credentialsfetcher_RenewKerberosArnLeaseResponse, rhs: Credentialsfetcher_RenewKerberosArnLeaseResponse) -> Bool {
    if lhs.status != rhs.status {return false}
    if lhs.unknownFields != rhs.unknownFields {return false}
    return true
  }
}

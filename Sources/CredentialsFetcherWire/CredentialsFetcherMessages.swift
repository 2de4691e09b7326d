import CCGPlugin

// credentials-fetcher's messages (Sources/ECSFrontEnd/credentials_fetcher.proto, package
// `credentialsfetcher`), read and written by hand: every field is a string. The two requests that
// carry the portable user's password read it straight into wiped storage (`Password`), never
// into a String; what stays out of reach is the transport's own buffer (the HTTP/2 frame's bytes
// in NIO's ByteBuffer), which is released but not zeroed. A message's description never shows
// the password. The ARN requests (AWS access keys) are never read: their methods are refused.

/// A request the server reads from its bytes.
public protocol CredentialsFetcherRequest: Sendable {
    init(decoding bytes: [UInt8]) throws(ProtobufError)
}

/// A response the server writes.
public protocol CredentialsFetcherResponse: Sendable {
    func encoded() -> [UInt8]
}

/// `CreateKerberosLeaseRequest{repeated string credspec_contents = 1}`.
public struct CreateKerberosLeaseRequest: CredentialsFetcherRequest {
    public var credspecContents: [String] = []

    public init() {}

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { credspecContents.append(try reader.string(value)) }
        }
    }
}

/// `CreateNonDomainJoinedKerberosLeaseRequest{repeated string credspec_contents = 1; string
/// username = 2; string password = 3; string domain = 4}`.
public struct CreateNonDomainJoinedKerberosLeaseRequest: CredentialsFetcherRequest {
    public var credspecContents: [String] = []
    public var username = ""
    public var password = Password("")
    public var domain = ""

    public init() {}

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            switch number {
            case 1: credspecContents.append(try reader.string(value))
            case 2: username = try reader.string(value)
            case 3: password = Password(utf8: reader.slice(value))
            case 4: domain = try reader.string(value)
            default: break
            }
        }
    }
}

/// `RenewNonDomainJoinedKerberosLeaseRequest{string username = 1; string password = 2; string domain = 3}`.
public struct RenewNonDomainJoinedKerberosLeaseRequest: CredentialsFetcherRequest {
    public var username = ""
    public var password = Password("")
    public var domain = ""

    public init() {}

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            switch number {
            case 1: username = try reader.string(value)
            case 2: password = Password(utf8: reader.slice(value))
            case 3: domain = try reader.string(value)
            default: break
            }
        }
    }
}

/// `DeleteKerberosLeaseRequest{string lease_id = 1}`.
public struct DeleteKerberosLeaseRequest: CredentialsFetcherRequest {
    public var leaseID = ""

    public init() {}

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { leaseID = try reader.string(value) }
        }
    }
}

/// `HealthCheckRequest{string service = 1}`.
public struct HealthCheckRequest: CredentialsFetcherRequest {
    public var service = ""

    public init() {}

    public init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { service = try reader.string(value) }
        }
    }
}

/// `CreateKerberosLeaseResponse` and `CreateNonDomainJoinedKerberosLeaseResponse`, the same
/// fields: `{string lease_id = 1; repeated string created_kerberos_file_paths = 2}`.
public struct CreateKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    public var leaseID = ""
    public var createdKerberosFilePaths: [String] = []

    public init(leaseID: String = "", createdKerberosFilePaths: [String] = []) {
        self.leaseID = leaseID
        self.createdKerberosFilePaths = createdKerberosFilePaths
    }

    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, leaseID)
        writer.write(2, createdKerberosFilePaths)
        return writer.bytes
    }
}

/// `RenewNonDomainJoinedKerberosLeaseResponse{repeated string renewed_kerberos_file_paths = 1}`.
public struct RenewNonDomainJoinedKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    public var renewedKerberosFilePaths: [String] = []

    public init(renewedKerberosFilePaths: [String] = []) {
        self.renewedKerberosFilePaths = renewedKerberosFilePaths
    }

    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, renewedKerberosFilePaths)
        return writer.bytes
    }
}

/// `DeleteKerberosLeaseResponse{string lease_id = 1; repeated string deleted_kerberos_file_paths = 2}`.
public struct DeleteKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    public var leaseID = ""
    public var deletedKerberosFilePaths: [String] = []

    public init(leaseID: String = "", deletedKerberosFilePaths: [String] = []) {
        self.leaseID = leaseID
        self.deletedKerberosFilePaths = deletedKerberosFilePaths
    }

    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, leaseID)
        writer.write(2, deletedKerberosFilePaths)
        return writer.bytes
    }
}

/// `HealthCheckResponse{string status = 1}`.
public struct HealthCheckResponse: CredentialsFetcherResponse, Equatable {
    public var status = ""

    public init(status: String = "") {
        self.status = status
    }

    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, status)
        return writer.bytes
    }
}

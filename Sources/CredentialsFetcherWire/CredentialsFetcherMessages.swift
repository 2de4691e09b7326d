import CCGPlugin

// credentials-fetcher's messages (Sources/ECSFrontEnd/credentials_fetcher.proto, package
// `credentialsfetcher`), read and written by hand: every field is a string. The two requests that
// carry the portable user's password read it straight into wiped storage (`Password`), never
// into a String; what stays out of reach is the transport's own buffer (the HTTP/2 frame's bytes
// in NIO's ByteBuffer), which is released but not zeroed. A message's description never shows
// the password. The ARN requests (AWS access keys) are never read: their methods are refused.

/// A request the server reads from its bytes.
package protocol CredentialsFetcherRequest: Sendable {
    init(decoding bytes: [UInt8]) throws(ProtobufError)
}

/// A response the server writes.
package protocol CredentialsFetcherResponse: Sendable {
    func encoded() -> [UInt8]
}

/// `CreateKerberosLeaseRequest{repeated string credspec_contents = 1}`.
package struct CreateKerberosLeaseRequest: CredentialsFetcherRequest {
    package var credspecContents: [String] = []

    package init() {}

    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { credspecContents.append(try reader.string(value)) }
        }
    }
}

/// `CreateNonDomainJoinedKerberosLeaseRequest{repeated string credspec_contents = 1; string
/// username = 2; string password = 3; string domain = 4}`.
package struct CreateNonDomainJoinedKerberosLeaseRequest: CredentialsFetcherRequest {
    package var credspecContents: [String] = []
    package var username = ""
    package var password = Password("")
    package var domain = ""

    package init() {}

    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
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
package struct RenewNonDomainJoinedKerberosLeaseRequest: CredentialsFetcherRequest {
    package var username = ""
    package var password = Password("")
    package var domain = ""

    package init() {}

    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
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
package struct DeleteKerberosLeaseRequest: CredentialsFetcherRequest {
    package var leaseID = ""

    package init() {}

    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { leaseID = try reader.string(value) }
        }
    }
}

/// `HealthCheckRequest{string service = 1}`.
package struct HealthCheckRequest: CredentialsFetcherRequest {
    package var service = ""

    package init() {}

    package init(decoding bytes: [UInt8]) throws(ProtobufError) {
        var reader = ProtobufReader(bytes)
        while let (number, value) = try reader.nextField() {
            if number == 1 { service = try reader.string(value) }
        }
    }
}

/// `CreateKerberosLeaseResponse` and `CreateNonDomainJoinedKerberosLeaseResponse`, the same
/// fields: `{string lease_id = 1; repeated string created_kerberos_file_paths = 2}`.
package struct CreateKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    package var leaseID = ""
    package var createdKerberosFilePaths: [String] = []

    package init(leaseID: String = "", createdKerberosFilePaths: [String] = []) {
        self.leaseID = leaseID
        self.createdKerberosFilePaths = createdKerberosFilePaths
    }

    package func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, leaseID)
        writer.write(2, createdKerberosFilePaths)
        return writer.bytes
    }
}

/// `RenewNonDomainJoinedKerberosLeaseResponse{repeated string renewed_kerberos_file_paths = 1}`.
package struct RenewNonDomainJoinedKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    package var renewedKerberosFilePaths: [String] = []

    package init(renewedKerberosFilePaths: [String] = []) {
        self.renewedKerberosFilePaths = renewedKerberosFilePaths
    }

    package func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, renewedKerberosFilePaths)
        return writer.bytes
    }
}

/// `DeleteKerberosLeaseResponse{string lease_id = 1; repeated string deleted_kerberos_file_paths = 2}`.
package struct DeleteKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    package var leaseID = ""
    package var deletedKerberosFilePaths: [String] = []

    package init(leaseID: String = "", deletedKerberosFilePaths: [String] = []) {
        self.leaseID = leaseID
        self.deletedKerberosFilePaths = deletedKerberosFilePaths
    }

    package func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, leaseID)
        writer.write(2, deletedKerberosFilePaths)
        return writer.bytes
    }
}

/// `HealthCheckResponse{string status = 1}`.
package struct HealthCheckResponse: CredentialsFetcherResponse, Equatable {
    package var status = ""

    package init(status: String = "") {
        self.status = status
    }

    package func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.write(1, status)
        return writer.bytes
    }
}

import CCGPlugin
import ProtobufWire

// credentials-fetcher's messages (Sources/ECSFrontEnd/credentials_fetcher.proto, package
// `credentialsfetcher`), read and written by hand: every field is a string. The two requests that
// carry the portable user's password read it straight into wiped storage (`Password`), never
// into a String; what stays out of reach is the transport's own buffer (the HTTP/2 frame's bytes
// in NIO's ByteBuffer), which is released but not zeroed. A message's description never shows
// the password. The ARN requests (AWS access keys) are never read: their methods are refused.

/// A request the server reads from its bytes (`init(decoding:)`). A known field of another wire
/// type than its own is skipped like an unknown one, as protobuf's own readers do.
package protocol CredentialsFetcherRequest: ProtobufDecodable {}

/// A response the server writes (`encoded()`).
package protocol CredentialsFetcherResponse: ProtobufEncodable {}

/// `CreateKerberosLeaseRequest{repeated string credspec_contents = 1}`.
package struct CreateKerberosLeaseRequest: CredentialsFetcherRequest {
    package var credspecContents: [String] = []

    package init() {}

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            guard field.wireType == .lengthDelimited else { continue }
            if field.number == 1 { credspecContents.append(try field.string()) }
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

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            guard field.wireType == .lengthDelimited else { continue }
            switch field.number {
            case 1: credspecContents.append(try field.string())
            case 2: username = try field.string()
            case 3: password = Password(utf8: try field.bytes())
            case 4: domain = try field.string()
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

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            guard field.wireType == .lengthDelimited else { continue }
            switch field.number {
            case 1: username = try field.string()
            case 2: password = Password(utf8: try field.bytes())
            case 3: domain = try field.string()
            default: break
            }
        }
    }
}

/// `DeleteKerberosLeaseRequest{string lease_id = 1}`.
package struct DeleteKerberosLeaseRequest: CredentialsFetcherRequest {
    package var leaseID = ""

    package init() {}

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            guard field.wireType == .lengthDelimited else { continue }
            if field.number == 1 { leaseID = try field.string() }
        }
    }
}

/// `HealthCheckRequest{string service = 1}`.
package struct HealthCheckRequest: CredentialsFetcherRequest {
    package var service = ""

    package init() {}

    package mutating func merge(from reader: inout ProtobufReader) throws(ProtobufError) {
        while let field = try reader.next() {
            guard field.wireType == .lengthDelimited else { continue }
            if field.number == 1 { service = try field.string() }
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

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: leaseID)
        writer.write(2, strings: createdKerberosFilePaths)
    }
}

/// `RenewNonDomainJoinedKerberosLeaseResponse{repeated string renewed_kerberos_file_paths = 1}`.
package struct RenewNonDomainJoinedKerberosLeaseResponse: CredentialsFetcherResponse, Equatable {
    package var renewedKerberosFilePaths: [String] = []

    package init(renewedKerberosFilePaths: [String] = []) {
        self.renewedKerberosFilePaths = renewedKerberosFilePaths
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, strings: renewedKerberosFilePaths)
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

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: leaseID)
        writer.write(2, strings: deletedKerberosFilePaths)
    }
}

/// `HealthCheckResponse{string status = 1}`.
package struct HealthCheckResponse: CredentialsFetcherResponse, Equatable {
    package var status = ""

    package init(status: String = "") {
        self.status = status
    }

    package func encode(to writer: inout ProtobufWriter) {
        writer.write(1, string: status)
    }
}

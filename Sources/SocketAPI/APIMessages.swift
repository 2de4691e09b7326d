import FoundationEssentials
import JSON
import Glibc
import NIOHTTP1
import DomainModel
import Observability
import LeaseService

/// A request as the router sees it: the whole body, and who sent it.
package struct APIRequest: Sendable {
    package var method: HTTPMethod
    package var path: String
    package var body: [UInt8]
    package var peer: PeerCredentials

    package init(method: HTTPMethod, path: String, body: [UInt8], peer: PeerCredentials) {
        self.method = method
        self.path = path
        self.body = body
        self.peer = peer
    }
}

/// A complete response.
package struct APIResponse: Sendable {
    package var status: HTTPResponseStatus
    package var contentType: String
    package var body: [UInt8]
    /// For an error answer, its code and sentence, so that the log can say what was refused.
    package var failure: (code: ErrorCode, message: String)?
    /// The lease this answer creates: ended if the answer cannot be delivered.
    package var createdLease: LeaseID?
    /// The methods a route takes, for a 405's `Allow` header.
    package var allow: [HTTPMethod]?

    package init(status: HTTPResponseStatus, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// The rarer documents (health, accounts, lists) through Foundation's encoder and the Codable
    /// types ccgctl decodes; a lease, on every request's path, through the JSON module (`APIResponse.lease`).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ status: HTTPResponseStatus, _ document: some Encodable) -> APIResponse {
        do {
            var body = Array(try encoder.encode(document))
            body.append(0x0A)
            return APIResponse(status: status, body: body)
        } catch {
            return .error(.internal, "cannot encode the answer: \(error)")
        }
    }

    /// A lease as the answer's body.
    static func lease(_ status: HTTPResponseStatus, _ document: APIDocuments.LeaseDocument) -> APIResponse {
        APIResponse(status: status, body: document.json.compactUTF8 + [0x0A])
    }

    /// The API's error body: `{"error": {"code", "message", "field"}}`.
    static func error(_ code: ErrorCode, _ message: String, field: String? = nil) -> APIResponse {
        let body = APIDocuments.ErrorBody(error: .init(code: code.rawValue, message: message, field: field))
        let bytes = (try? encoder.encode(body)).map { Array($0) + [0x0A] } ?? Array("{}".utf8)
        var response = APIResponse(status: HTTPResponseStatus(statusCode: code.httpStatus), body: bytes)
        response.failure = (code, message)
        return response
    }

    static func error(_ error: some CodedError, field: String? = nil) -> APIResponse {
        .error(error.code, "\(error)", field: field)
    }
}

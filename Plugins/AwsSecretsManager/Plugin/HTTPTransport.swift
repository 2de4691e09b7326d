import CAWSTransport
import SecretMemory
import Glibc

/// One HTTP(S) exchange through libcurl (TLS, proxies from `https_proxy`/`no_proxy`, timeouts).
struct HTTPRequest {
    var method: String
    var url: String
    /// "Name: value" lines.
    var headers: [String] = []
    var body: [UInt8]? = nil
    var connectTimeoutMilliseconds = 3000
    var timeoutMilliseconds = 8000
}

struct HTTPResponse {
    let status: Int
    /// The body in wiped storage: it may hold a secret or credentials.
    let body: SecretBuffer

    /// The body as text, for answers that hold no secret (a role name, a token, an error).
    var text: String { body.withBytes { String(decoding: $0, as: UTF8.self) } }
}

/// libcurl's reason a request got no answer (cannot connect, timed out, TLS); never a secret.
struct TransportFailure: Error {
    let url: String
    let reason: String
}

enum HTTPTransport {
    static func send(_ request: HTTPRequest) throws(TransportFailure) -> HTTPResponse {
        var status = 0
        var bytes: UnsafeMutablePointer<UInt8>?
        var length = 0
        var reason = [CChar](repeating: 0, count: 512)
        let headers = request.headers.map { strdup($0) } + [nil]
        defer { for header in headers { free(header) } }
        let result: Int32 = headers.map { UnsafePointer($0) }.withUnsafeBufferPointer { headerList in
            func perform(_ body: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
                ccgd_aws_http(
                    request.method, request.url, headerList.baseAddress, body, count,
                    request.connectTimeoutMilliseconds, request.timeoutMilliseconds,
                    &status, &bytes, &length, &reason, reason.count)
            }
            guard let body = request.body else { return perform(nil, 0) }
            return body.withUnsafeBufferPointer { perform($0.baseAddress, $0.count) }
        }
        guard result == 0 else {
            throw TransportFailure(url: request.url, reason: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { ccgd_aws_free(bytes, length) }
        let body = SecretBuffer(capacity: max(length, 1))
        if let bytes, length > 0 {
            _ = body.append(upTo: length) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: length))
                return length
            }
        }
        return HTTPResponse(status: status, body: body)
    }
}

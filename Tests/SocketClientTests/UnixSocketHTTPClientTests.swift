import Foundation
@testable import SocketClient
import XCTest

/// The socket client against a one-shot server on a Unix socket: what it sends, what it reads of
/// an answer, and each refusal with the reason callers word their advice around.
final class UnixSocketHTTPClientTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("socket-client-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Listens at `path`, reads one request (until its blank line and content-length body),
    /// writes `answer` and closes; the request comes back through the returned closure.
    private func serveOnce(_ answer: [UInt8], at path: String, readingTheBody: Bool = true) throws -> () -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 1), 0)
        let received = LockedText()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let connection = accept(fd, nil, nil)
            var request: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while !(readingTheBody ? Self.isComplete(request) : String(decoding: request, as: UTF8.self).contains("\r\n\r\n")) {
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                request += chunk[0..<count]
            }
            received.set(String(decoding: request, as: UTF8.self))
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
            close(fd)
            done.signal()
        }
        return {
            done.wait()
            return received.get()
        }
    }

    private static func isComplete(_ request: [UInt8]) -> Bool {
        let text = String(decoding: request, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let length =
            text[..<end.lowerBound].split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }

    private func failure(_ send: () throws(SocketClientError) -> UnixSocketHTTPClient.Answer) -> SocketClientError.Reason? {
        do {
            _ = try send()
            return nil
        } catch {
            return error.reason
        }
    }

    /// ccgd refuses a body over its limit from the head alone and closes without reading the rest:
    /// the client's write then fails, and the answer it was sent is what the caller gets.
    func testAnAnswerSentBeforeTheBodyWasReadIsTheAnswer() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\n\r\n{}".utf8), at: path, readingTheBody: false)

        let answer = try UnixSocketHTTPClient(socketPath: path).send("POST", "/v1/leases", body: [UInt8](repeating: 0x20, count: 8 << 20))

        XCTAssertEqual(answer.status, 413)
        XCTAssertEqual(answer.text, "{}")
        XCTAssertTrue(request().hasPrefix("POST /v1/leases HTTP/1.1\r\n"))
    }

    func testRequestCarriesMethodTargetHeadersAndBodyAndTheAnswerIsCutAtContentLength() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}trailing".utf8), at: path)

        let answer = try UnixSocketHTTPClient(socketPath: path).send("POST", "/v1/leases", body: Array(#"{"a":1}"#.utf8))

        XCTAssertEqual(answer.status, 201)
        XCTAssertEqual(answer.text, "{}")
        XCTAssertEqual(
            request(),
            "POST /v1/leases HTTP/1.1\r\nhost: ccgd\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}"
        )
    }

    func testAnswerWithoutContentLengthKeepsEverythingAfterTheHeaders() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n".utf8), at: path)

        let answer = try UnixSocketHTTPClient(socketPath: path).send("DELETE", "/v1/leases/x")

        XCTAssertEqual(answer.status, 204)
        XCTAssertEqual(answer.body, [])
        XCTAssertEqual(request(), "DELETE /v1/leases/x HTTP/1.1\r\nhost: ccgd\r\nconnection: close\r\n\r\n")
    }

    func testAnswerShorterThanItsContentLengthClosedEarly() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}".utf8), at: path)
        XCTAssertEqual(failure { () throws(SocketClientError) in try UnixSocketHTTPClient(socketPath: path).send("GET", "/") }, .closedEarly)
        _ = request()
    }

    func testAnswerThatIsNotHTTPIsRefused() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8), at: path)
        XCTAssertEqual(failure { () throws(SocketClientError) in try UnixSocketHTTPClient(socketPath: path).send("GET", "/") }, .notHTTP)
        _ = request()
    }

    func testAnswerLongerThanTheLimitIsRefused() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + [UInt8](repeating: 0x61, count: 2000), at: path)
        let client = UnixSocketHTTPClient(socketPath: path, maximumAnswerByteCount: 1000)
        XCTAssertEqual(failure { () throws(SocketClientError) in try client.send("GET", "/") }, .answerTooLarge(limit: 1000))
        _ = request()
    }

    func testServerOfAnotherUserIsNotAsked() throws {
        let path = directory + "/s"
        let request = try serveOnce(Array("HTTP/1.1 200 OK\r\n\r\n".utf8), at: path)
        let other = getuid() == 0 ? UInt32(65534) : 0
        let client = UnixSocketHTTPClient(socketPath: path, serverUIDs: [other])
        XCTAssertEqual(failure { () throws(SocketClientError) in try client.send("GET", "/") }, .unexpectedServer(uid: getuid()))
        // The server sees a connection without a request: the client sent nothing.
        XCTAssertEqual(request(), "")
    }

    func testMissingSocketIsCannotConnectWithENOENT() {
        let error = failure { () throws(SocketClientError) in try UnixSocketHTTPClient(socketPath: directory + "/none").send("GET", "/") }
        XCTAssertEqual(error, .cannotConnect(errno: ENOENT))
        XCTAssertEqual(
            SocketClientError(socketPath: "/run/x", reason: .cannotConnect(errno: ENOENT)).description,
            "cannot reach /run/x: No such file or directory.")
    }

    func testPathTooLongForASocketAddressIsRefused() {
        let path = "/" + String(repeating: "p", count: 200)
        XCTAssertEqual(failure { () throws(SocketClientError) in try UnixSocketHTTPClient(socketPath: path).send("GET", "/") }, .pathTooLong(limit: 107))
    }
}

/// Text handed from the server thread to the test.
private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func set(_ value: String) { lock.withLock { text = value } }
    func get() -> String { lock.withLock { text } }
}

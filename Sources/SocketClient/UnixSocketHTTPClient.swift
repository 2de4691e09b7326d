import Glibc

/// HTTP/1.1 on a Unix socket, blocking: one request per connection (`connection: close`), the
/// answer read to its end. ccgd's one client of its socket API, for ccgctl, the OCI hook and the
/// tests: no threads, no NIO, no Foundation, so the hook stays single-threaded (setns refuses a
/// process that shares its file system state) and small.
package struct UnixSocketHTTPClient: Sendable {
    /// An answer: the status and the body (as long as its content-length says).
    package struct Answer: Sendable {
        package let status: Int
        package let body: [UInt8]

        package init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }

        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    package let socketPath: String
    /// Longest wait for each read and write: a lease for an account not yet cached needs the DC.
    package var timeoutSeconds: Int
    /// The uids the server may run as (SO_PEERCRED), or nil for any: whoever can put a socket at
    /// the path must not get what the request carries, nor have its answer believed.
    package var serverUIDs: [UInt32]?
    /// Longer answers are refused: ccgd's largest (a list of leases) takes far less.
    package var maximumAnswerByteCount: Int

    package init(socketPath: String, timeoutSeconds: Int = 100, serverUIDs: [UInt32]? = nil, maximumAnswerByteCount: Int = 16 << 20) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
        self.serverUIDs = serverUIDs
        self.maximumAnswerByteCount = maximumAnswerByteCount
    }

    /// Sends `method target` (e.g. `GET /v1/health`) with an optional JSON body and reads the answer.
    package func send(_ method: String, _ target: String, body: [UInt8]? = nil) throws(SocketClientError) -> Answer {
        let connection = try UnixSocketConnection(path: socketPath, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        if let serverUIDs {
            let uid = try connection.peerUID()
            guard serverUIDs.contains(uid) else { throw connection.failure(.unexpectedServer(uid: uid)) }
        }
        var request = "\(method) \(target) HTTP/1.1\r\nhost: ccgd\r\nconnection: close\r\n"
        if let body { request += "content-type: application/json\r\ncontent-length: \(body.count)\r\n" }
        request += "\r\n"
        do {
            try connection.write(Array(request.utf8) + (body ?? []))
        } catch let sendFailure {
            // ccgd answers a request it refuses early (a body over its limit: 413) and closes before
            // reading the rest, so the write fails; its answer is still there to read.
            guard case .cannotSend(let code) = sendFailure.reason, code == EPIPE || code == ECONNRESET,
                let answer = try? connection.readAll(limit: maximumAnswerByteCount),
                let parsed = try? HTTPAnswerParser.parse(answer)
            else { throw sendFailure }
            return parsed
        }
        let answer = try connection.readAll(limit: maximumAnswerByteCount)
        do { return try HTTPAnswerParser.parse(answer) } catch { throw connection.failure(error) }
    }
}

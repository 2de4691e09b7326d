import Glibc

/// Why a request to a Unix socket got no usable answer: the socket's path and the reason. Callers
/// word their own advice around `cause` (ccgctl's options, the hook's files).
package struct SocketClientError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Reason: Error, Equatable, Sendable {
        /// socket(2) failed.
        case cannotMakeSocket(errno: Int32)
        /// The path does not fit a Unix socket address (`limit` bytes at most).
        case pathTooLong(limit: Int)
        /// connect(2) failed (ENOENT: no socket; ECONNREFUSED: nobody listens; EACCES: no permission).
        case cannotConnect(errno: Int32)
        /// The server's accept queue stayed full.
        case busy
        /// SO_PEERCRED failed, so who listens is unknown.
        case cannotIdentifyServer(errno: Int32)
        /// The server runs as a uid not in `serverUIDs`.
        case unexpectedServer(uid: UInt32)
        /// The request could not be sent.
        case cannotSend(errno: Int32)
        /// The answer could not be read (EAGAIN: the timeout passed).
        case cannotReceive(errno: Int32)
        /// The connection closed before the answer's headers, or before as much body as they announced.
        case closedEarly
        /// The answer is not HTTP/1.x.
        case notHTTP
        /// The answer is longer than `limit` bytes.
        case answerTooLarge(limit: Int)
    }

    package let socketPath: String
    package let reason: Reason

    package init(socketPath: String, reason: Reason) {
        self.socketPath = socketPath
        self.reason = reason
    }

    /// What went wrong, in a few words, e.g. "No such file or directory".
    package var cause: String {
        switch reason {
        case let .cannotMakeSocket(code): "cannot make a socket: \(Self.text(of: code))"
        case let .pathTooLong(limit): "the path is longer than \(limit) bytes, too long for a Unix socket"
        case let .cannotConnect(code): Self.text(of: code)
        case .busy: "it accepts no connection (its queue stays full)"
        case let .cannotIdentifyServer(code): "cannot learn who listens on it: \(Self.text(of: code))"
        case let .unexpectedServer(uid): "the server runs as uid \(uid)"
        case let .cannotSend(code): "cannot send the request: \(Self.text(of: code))"
        case let .cannotReceive(code): "no answer: \(Self.text(of: code))"
        case .closedEarly: "the server closed the connection before answering"
        case .notHTTP: "the answer is not HTTP/1.1"
        case let .answerTooLarge(limit): "the answer is longer than \(limit) bytes"
        }
    }

    package var description: String { "cannot reach \(socketPath): \(cause)." }

    /// The text of a system error number, e.g. "Connection refused".
    package static func text(of code: Int32) -> String {
        String(cString: strerror(code))
    }
}

import Dispatch
import Glibc
import NIOHTTP1
import SocketClient

/// ccgd's socket client (`UnixSocketHTTPClient`) for async callers, `ccgctl` and the tests: one
/// request per connection, the whole answer in memory. The blocking calls run on a Dispatch
/// thread, never on Swift's cooperative pool (ccgd's own watchdog calls this).
package struct APIClient: Sendable {
    package let socketPath: String

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    package typealias Response = UnixSocketHTTPClient.Answer

    /// Why no answer came, without a Swift signature: callers word their own advice around it.
    package struct Failure: Error, CustomStringConvertible {
        package enum Reason: Sendable, Equatable {
            /// No file at the socket's path.
            case noSocket
            /// A socket file nobody listens on (a ccgd that stopped and left it).
            case nobodyListening
            /// The caller may not use the socket (its mode and group).
            case permissionDenied
            /// Its accept queue stayed full.
            case busy
            /// The connection closed before a whole answer.
            case closedEarly
            /// Anything else, as the system says it.
            case other(String)
        }

        package let socketPath: String
        package let reason: Reason

        /// "no such socket", "nothing listens on it", …: what went wrong, after the path.
        package var cause: String {
            switch reason {
            case .noSocket: "no such socket"
            case .nobodyListening: "nothing listens on it (a ccgd that stopped may have left the socket file)"
            case .permissionDenied: "permission denied (the socket's mode and group decide who may connect)"
            case .busy: "it accepts no connection (its queue stays full)"
            case .closedEarly: "ccgd closed the connection before answering"
            case let .other(text): text
            }
        }

        package var description: String { "cannot reach ccgd at \(socketPath): \(cause)." }

        init(_ error: SocketClientError) {
            socketPath = error.socketPath
            reason =
                switch error.reason {
                case .cannotConnect(errno: ENOENT), .cannotConnect(errno: ENOTDIR): .noSocket
                case .cannotConnect(errno: ECONNREFUSED): .nobodyListening
                case .cannotConnect(errno: EACCES), .cannotConnect(errno: EPERM): .permissionDenied
                case .busy: .busy
                case .closedEarly: .closedEarly
                default: .other(error.cause)
                }
        }
    }

    /// Sends `method path` with an optional JSON body and returns the answer.
    package func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> Response {
        let client = UnixSocketHTTPClient(socketPath: socketPath)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, Error>) in
            DispatchQueue.global().async {
                do throws(SocketClientError) {
                    continuation.resume(returning: try client.send(method.rawValue, path, body: body))
                } catch {
                    continuation.resume(throwing: Failure(error))
                }
            }
        }
    }
}

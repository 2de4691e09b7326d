import SocketClient

extension HookFailure {
    /// A request to ccgd that got no answer, in the hook's words: what failed and what to check.
    init(_ error: SocketClientError, method: String, target: String, daemonUID: UInt32) {
        let socket = error.socketPath
        switch error.reason {
        case let .cannotMakeSocket(code):
            self.init("cannot make a socket: \(systemError(code))")
        case let .pathTooLong(limit):
            self.init("the socket path \(socket) is longer than \(limit) bytes; give a shorter --socket.")
        case let .cannotConnect(code):
            self.init(
                "cannot connect to ccgd at \(socket) (\(systemError(code))); is ccgd running (systemctl status ccgd), or is --socket in the hook's file wrong?")
        case .busy:
            self.init(
                "cannot connect to ccgd at \(socket) (\(systemError(EAGAIN))); is ccgd running (systemctl status ccgd), or is --socket in the hook's file wrong?"
            )
        case let .cannotIdentifyServer(code):
            self.init("cannot learn who listens on \(socket) (\(systemError(code))); the hook asks only ccgd.")
        case let .unexpectedServer(uid):
            self.init("the server on \(socket) runs as uid \(uid), neither root nor ccgd's uid \(daemonUID) (--daemon-uid); is --socket ccgd's socket?")
        case let .cannotSend(code):
            self.init("cannot send the request to ccgd at \(socket): \(systemError(code))")
        case let .cannotReceive(code):
            self.init("ccgd at \(socket) did not answer \(method) \(target) (\(systemError(code))); see its log (journalctl -u ccgd).")
        case .answerTooLarge:
            self.init("ccgd at \(socket) did not answer \(method) \(target) (\(error.cause)); see its log (journalctl -u ccgd).")
        case .closedEarly:
            self.init("ccgd's answer to \(method) \(target) ended before its headers did; see its log (journalctl -u ccgd).")
        case .notHTTP:
            self.init("ccgd's answer to \(method) \(target) is not HTTP/1.1; is --socket ccgd's socket?")
        }
    }
}

import Glibc

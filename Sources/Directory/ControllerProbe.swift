import Glibc

/// Why one domain controller could not be reached: what the daemon's errors and the doctor
/// say of each DC tried, in the same words.
package struct ControllerFailure: Sendable, Equatable, CustomStringConvertible {
    package let controller: DomainController
    /// The port tried; nil when the name did not even resolve.
    package let port: UInt16?
    /// "cannot resolve the name (…)", "Connection refused", "no answer within 5000 ms", "TLS failed: …".
    package let cause: String

    package init(controller: DomainController, port: UInt16?, cause: String) {
        self.controller = controller
        self.port = port
        self.cause = cause
    }

    /// The failure a connection to `port` of `controller` ended with (`DirectoryError.unreachable`
    /// and `.tlsFailed` name the DC and the port in their own way: said here once, uniformly).
    package init(controller: DomainController, port: UInt16, _ error: DirectoryError) {
        switch error {
        case let .unreachable(_, reason):
            let suffix = " on port \(port)"
            let cause = reason.hasSuffix(suffix) ? String(reason.dropLast(suffix.count)) : reason
            self.init(controller: controller, port: cause.hasPrefix("cannot resolve") ? nil : port, cause: cause)
        case let .tlsFailed(_, reason):
            self.init(controller: controller, port: port, cause: "TLS failed: \(reason)")
        default:
            self.init(controller: controller, port: port, cause: "\(error)")
        }
    }

    /// "dc1.contoso.test (192.0.2.10) port 88: Connection refused".
    package var description: String {
        "\(controller)\(port.map { " port \($0)" } ?? ""): \(cause)"
    }
}

/// Connects to one port of each DC in turn, as the first question when "the DC does not work".
/// Blocking: DNS and TCP wait on the network.
package enum ControllerProbe {
    package static let kerberosPort: UInt16 = 88

    /// The DCs whose `port` accepted a TCP connection within `timeout` seconds, and why the others did not.
    package static func probe(
        _ controllers: [DomainController], timeout: Int,
        port: (DomainController) -> UInt16
    ) -> (answered: [DomainController], failures: [ControllerFailure]) {
        var answered: [DomainController] = [], failures: [ControllerFailure] = []
        for controller in controllers {
            do {
                try PortProbe.connect(
                    host: controller.address ?? controller.hostName, port: port(controller),
                    timeoutMilliseconds: Int32(max(1, timeout) * 1000))
                answered.append(controller)
            } catch {
                failures.append(ControllerFailure(controller: controller, port: port(controller), error))
            }
        }
        return (answered, failures)
    }

    /// The DCs known by a name alone (no address) whose name does not resolve here.
    package static func unresolvable(_ controllers: [DomainController]) -> [ControllerFailure] {
        controllers.filter { $0.address == nil }.compactMap { controller in
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(controller.hostName, nil, &hints, &list)
            if let list { freeaddrinfo(list) }
            guard status != 0 else { return nil }
            return ControllerFailure(controller: controller, port: nil, cause: TCPConnection.unresolved(status))
        }
    }
}

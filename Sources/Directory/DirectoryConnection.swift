internal import CLDAP
import Glibc
import SystemBasics

/// Owns an LDAP handle to one domain controller. Its calls block: use it on a thread of its own.
package final class DirectoryConnection {
    /// How the connection is protected before any bind.
    package enum Transport: Sendable, Equatable {
        /// Plain LDAP on the LDAP port; protection comes from a sealed SASL bind.
        case plain
        /// LDAPS on the LDAPS port, the DC's certificate checked against `caFile` (nil: the system's CAs).
        case tls(caFile: String?)
    }

    package let controller: DomainController
    /// True when the connection runs over TLS (LDAPS).
    package let isTLS: Bool
    let raw: OpaquePointer
    /// Who the bind authenticated, for error messages.
    var boundAs = "anonymous"

    /// Connects to `controller` within `timeout` seconds.
    package init(to controller: DomainController, transport: Transport, timeout: Int = 5) throws(DirectoryError) {
        self.controller = controller
        self.isTLS = transport != .plain
        let host = controller.address ?? controller.hostName
        let port: UInt16
        let scheme: String
        switch transport {
        case .plain: (port, scheme) = (controller.ldapPort, "ldap")
        case .tls: (port, scheme) = (controller.ldapsPort, "ldaps")
        }
        let fd: Int32
        do {
            fd = try TCPConnection.open(host: host, port: port, timeoutMilliseconds: Int32(timeout * 1000))
        } catch {
            guard case let .unreachable(_, reason) = error else { throw error }
            throw .unreachable(controller: controller.description, reason: reason)
        }
        var handle: OpaquePointer?
        // The URL names the DC: GSSAPI asks for ldap/<hostName> and TLS checks the certificate against it.
        let status = ldap_init_fd(fd, LDAP_PROTO_TCP, "\(scheme)://\(controller.hostName):\(port)", &handle)
        guard status == LDAP_SUCCESS, let handle else {
            close(fd)
            throw .unreachable(controller: controller.description, reason: String(cString: ldap_err2string(status)))
        }
        raw = handle
        var version = LDAP_VERSION3
        ldap_set_option(raw, LDAP_OPT_PROTOCOL_VERSION, &version)
        ldap_set_option(raw, LDAP_OPT_REFERRALS, ccgd_ldap_opt_off())
        ldap_set_option(raw, LDAP_OPT_X_SASL_NOCANON, ccgd_ldap_opt_on())
        // Each answer's wait (binds, searches): a hung DC costs this much, then the next is asked.
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        ldap_set_option(raw, LDAP_OPT_TIMEOUT, &limit)
        ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &limit)
        if case let .tls(caFile) = transport {
            try startTLS(caFile: caFile)
        }
    }

    deinit { BrokenPipe.ignored { _ = ldap_unbind_ext_s(raw, nil, nil) } }

    private func startTLS(caFile: String?) throws(DirectoryError) {
        var demand = LDAP_OPT_X_TLS_DEMAND
        ldap_set_option(raw, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand)
        if let caFile { ldap_set_option(raw, LDAP_OPT_X_TLS_CACERTFILE, caFile) }
        // Per-handle TLS settings take effect only in a new TLS context.
        var isServer: Int32 = 0
        ldap_set_option(raw, LDAP_OPT_X_TLS_NEWCTX, &isServer)
        let status = BrokenPipe.ignored { ldap_install_tls(raw) }
        guard status == LDAP_SUCCESS else {
            throw .tlsFailed(controller: controller.description, reason: diagnostic(status))
        }
    }

    /// The server's diagnostic text for the last operation, or libldap's text for `status`.
    func diagnostic(_ status: Int32) -> String {
        var message: UnsafeMutablePointer<CChar>?
        ldap_get_option(raw, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message)
        let base = String(cString: ldap_err2string(status))
        guard let message else { return base }
        defer { ldap_memfree(message) }
        let detail = String(String(cString: message).trimmed { " \n\0".contains($0) })
        return detail.isEmpty ? base : "\(base): \(detail)"
    }
}

extension DirectoryConnection {
    /// Shuts the TCP connection down under libldap, as a DC or a middlebox closing it would: the
    /// next operation fails as unreachable. For tests of reconnection; the handle stays valid.
    package func shutDownTransport() {
        var fd: Int32 = -1
        guard ldap_get_option(raw, LDAP_OPT_DESC, &fd) == LDAP_OPT_SUCCESS, fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
    }
}

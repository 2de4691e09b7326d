import Directory
import FoundationEssentials
import DomainModel
import SystemSupport

/// Notices a failed DC's return: asks each DC `ControllerHealth` holds failed, when its backoff
/// says, for the root DSE over plain LDAP (anonymous; no secret travels). A TCP connection is not
/// an answer — a hung DC's kernel still accepts — so the probe waits for the search's reply,
/// at most `timeout`. An answer puts the DC back in its place in the order (and the krb5.conf).
package struct ControllerProber: Sendable {
    package let health: ControllerHealth
    /// How long a probe waits for the connection and for the answer.
    package let timeout: Int
    private let blocking = BlockingWork(label: "ccgd.controllers.probe")

    package init(health: ControllerHealth, timeout: Int = 2) {
        self.health = health
        self.timeout = timeout
    }

    /// Probes what is due once a second until cancelled.
    package func run() async {
        while !Task.isCancelled {
            await probeDue()
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Probes the failed DCs whose probe is due, one after the other.
    package func probeDue() async {
        for (realm, controller) in health.probesDue() {
            let timeout = self.timeout
            let failure: String?
            do { failure = try await blocking.run { Self.probe(controller, timeout: timeout) } } catch { failure = "\(error)" }
            health.recordProbe(realm: realm, host: controller.hostName, failure: failure)
        }
    }

    /// `controllers` with those that did not answer before the first one that does moved last
    /// (each asked in order, `timeout` seconds at most): a one-shot tool's order, so that neither
    /// its LDAP steps nor libkrb5 (10 s per hung KDC) wait on a hung DC. Blocking.
    package static func answeringFirst(_ controllers: [DomainController], timeout: Int) -> [DomainController] {
        var failed: [DomainController] = []
        for controller in controllers {
            guard probe(controller, timeout: timeout) != nil else { break }
            failed.append(controller)
        }
        return controllers.filter { !failed.contains($0) } + failed
    }

    /// Nil when `controller` answered a root DSE search within `timeout` seconds; else why not.
    /// Blocking.
    package static func probe(_ controller: DomainController, timeout: Int) -> String? {
        do throws(DirectoryError) {
            let connection = try DirectoryConnection(to: controller, transport: .plain, timeout: timeout)
            _ = try connection.search(base: "", scope: .base, filter: "(objectClass=*)", attributes: ["dnsHostName"])
            // The KDC lives in the same DC; its port must at least accept.
            try PortProbe.connect(
                host: controller.address ?? controller.hostName, port: ControllerProbe.kerberosPort,
                timeoutMilliseconds: Int32(timeout * 1000))
            return nil
        } catch {
            return "\(error)"
        }
    }
}

import CCGPlugin
import CredSpec
import FilePlugin
import FoundationEssentials
import Glibc
import InlinePlugin
import Logging
import Observability
import SystemSupport
import SystemBasics

/// PluginGUID → plug-in, as Windows keeps under HKLM\…\CCG\COMClasses: the built-ins, and
/// the shared objects and programs the configuration registers.
package struct PluginRegistry: Sendable {
    /// One registered plug-in and how it is called.
    package struct Registration: Sendable {
        package let guid: PluginGUID
        package let name: String
        /// "built-in", "shared object /path", "executable /path".
        package let origin: String
        package let timeout: Duration
        let plugin: any DomainAuthCredentials
        /// The inline plug-in: a warning in the log each time it is used.
        let warnsOnUse: Bool
    }

    private var registrations: [PluginGUID: Registration] = [:]
    /// GUIDs of built-ins the configuration turned off, to say so instead of "unknown".
    private var disabled: [PluginGUID: String] = [:]
    private let logger: Logger

    package init(logger: Logger = Logger(label: "ccgd.plugins")) {
        self.logger = logger
    }

    /// The plug-ins compiled into ccgd: the file plug-in (reading `credentialsDirectory`) always,
    /// the inline one only when allowed.
    package static func builtIn(
        allowInline: Bool = false, timeout: Duration = .seconds(10),
        credentialsDirectory: String = FilePlugin.defaultDirectory,
        logger: Logger = Logger(label: "ccgd.plugins")
    ) -> PluginRegistry {
        var registry = PluginRegistry(logger: logger)
        registry.register(FilePlugin(directory: credentialsDirectory), guid: PluginGUID(FilePlugin.guid)!, name: "file", origin: "built-in", timeout: timeout)
        let inline = PluginGUID(InlinePlugin.guid)!
        if allowInline {
            registry.register(InlinePlugin(), guid: inline, name: "inline", origin: "built-in", timeout: timeout, warnsOnUse: true)
        } else {
            registry.disabled[inline] =
                "the inline plug-in is turned off because it reads a password from the CredSpec; set allow-inline = yes in [plugins] for tests and demos only"
        }
        return registry
    }

    package mutating func register(
        _ plugin: any DomainAuthCredentials, guid: PluginGUID, name: String, origin: String,
        timeout: Duration = .seconds(10), warnsOnUse: Bool = false
    ) {
        registrations[guid] = Registration(guid: guid, name: name, origin: origin, timeout: timeout, plugin: plugin, warnsOnUse: warnsOnUse)
        disabled[guid] = nil
    }

    /// Whether `guid` has a plug-in (a built-in or the configuration's).
    func isRegistered(_ guid: PluginGUID) -> Bool { registrations[guid] != nil }

    /// Says why `guid` has no plug-in, instead of "unknown".
    mutating func disable(_ guid: PluginGUID, reason: String) { disabled[guid] = reason }

    /// Every registration, ordered by GUID.
    package var all: [Registration] { registrations.values.sorted { $0.guid.normalized < $1.guid.normalized } }

    /// Puts each plug-in's call series (and its latency histogram) at zero until it is first called.
    package func declareMetrics(in metrics: Metrics = .shared) {
        for registration in registrations.values {
            for result in ["ok", "timeout", "error"] {
                metrics.declare("ccgd_plugin_calls_total", ["plugin": registration.name, "result": result])
            }
            metrics.declareHistogram("ccgd_plugin_call_seconds", ["plugin": registration.name])
        }
    }

    /// Asks the plug-in named by `spec`'s PluginGUID for the portable user's credentials.
    package func credentials(for spec: CredentialSpec) async throws(PluginHostError) -> DomainCredential {
        guard let host = spec.hostAccountConfig else { throw .noPlugin }
        return try await credentials(for: host)
    }

    /// Asks the plug-in named by a HostAccountConfig's PluginGUID for the portable user's credentials.
    package func credentials(for host: HostAccountConfig) async throws(PluginHostError) -> DomainCredential {
        try await credentials(guid: host.pluginGUID, pluginInput: host.pluginInput.text)
    }

    /// Why no plug-in would answer for `guid`; nil when one is registered.
    package func refusal(of guid: PluginGUID) -> PluginHostError? {
        guard registrations[guid] == nil else { return nil }
        if let reason = disabled[guid] { return .disabled(guid: guid.description, reason: reason) }
        return .unknown(guid: guid.description, registered: all.map(\.guid.description))
    }

    /// Calls the plug-in registered for `guid` with `pluginInput`, within its timeout.
    package func credentials(guid: PluginGUID, pluginInput: String) async throws(PluginHostError) -> DomainCredential {
        if let refusal = refusal(of: guid) { throw refusal }
        guard let registration = registrations[guid] else { throw .unknown(guid: guid.description, registered: []) }
        if registration.warnsOnUse {
            logger.warning(
                "plug-in used: the CredSpec carries a password in PluginInput; use it for tests and demos only",
                metadata: ["plugin": "\(registration.name)", "guid": "\(guid)"])
        }
        let plugin = registration.plugin
        let answer: DomainCredential?
        let started = ContinuousClock.now
        defer {
            Metrics.shared.observe("ccgd_plugin_call_seconds", ["plugin": registration.name], seconds: (ContinuousClock.now - started).secondsValue)
        }
        do {
            answer = try await withDeadline(registration.timeout) {
                try await plugin.passwordCredentials(pluginInput: pluginInput)
            }
            Metrics.shared.increment("ccgd_plugin_calls_total", ["plugin": registration.name, "result": answer == nil ? "timeout" : "ok"])
        } catch let error as ExecutablePluginError {
            // A program stopped at its own deadline is a timeout like any other.
            guard case let .timedOut(_, seconds) = error else {
                Metrics.shared.increment("ccgd_plugin_calls_total", ["plugin": registration.name, "result": "error"])
                throw .failed(guid: guid.description, plugin: registration.name, reason: "\(error)")
            }
            Metrics.shared.increment("ccgd_plugin_calls_total", ["plugin": registration.name, "result": "timeout"])
            throw .timedOut(guid: guid.description, plugin: registration.name, seconds: seconds)
        } catch {
            Metrics.shared.increment("ccgd_plugin_calls_total", ["plugin": registration.name, "result": "error"])
            throw .failed(guid: guid.description, plugin: registration.name, reason: "\(error)")
        }
        guard let credential = answer else {
            throw .timedOut(guid: guid.description, plugin: registration.name, seconds: registration.timeout.secondsValue)
        }
        guard !credential.username.isEmpty, !credential.domainName.isEmpty, !credential.password.isEmpty else {
            throw .failed(guid: guid.description, plugin: registration.name, reason: "it returned an empty domain, user name or password.")
        }
        return credential
    }
}

/// Why no credentials came from a plug-in.
package enum PluginHostError: CodedError, Sendable, Equatable {
    case unknown(guid: String, registered: [String])
    case disabled(guid: String, reason: String)
    case failed(guid: String, plugin: String, reason: String)
    case timedOut(guid: String, plugin: String, seconds: Double)
    /// The CredSpec has no HostAccountConfig: the domain-joined way needs no plug-in.
    case noPlugin

    package var code: ErrorCode {
        switch self {
        case .unknown, .disabled, .noPlugin: .pluginUnknown
        case .failed: .pluginFailed
        case .timedOut: .pluginTimeout
        }
    }

    package var description: String {
        switch self {
        case let .unknown(guid, registered):
            return
                "no plug-in is registered for PluginGUID \(guid) (registered: \(registered.joined(separator: ", "))); register one in the configuration or fix the CredSpec."
        case let .disabled(guid, reason):
            return "PluginGUID \(guid): \(reason)."
        case let .failed(guid, plugin, reason):
            return "plug-in \(plugin) (\(guid)) failed: \(reason)"
        case .noPlugin:
            return "the CredSpec has no HostAccountConfig, so no plug-in gives credentials: it is read with this host's computer account."
        case let .timedOut(guid, plugin, seconds):
            return "plug-in \(plugin) (\(guid)) did not answer within \(seconds.formatted()) s; check the secret store it reads or raise its timeout."
        }
    }
}

extension Double {
    fileprivate func formatted() -> String {
        self == rounded() ? String(Int(self)) : String(self)
    }
}

import Directory
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// ccgd's configuration (`/etc/ccgd/ccgd.conf`): every key has a default, unknown keys are
/// errors, and every problem is reported with its file, line and key.
public struct ServiceConfiguration: Sendable, Equatable {
    public static let defaultPath = "/etc/ccgd/ccgd.conf"

    /// `[daemon]`: where ccgd listens and keeps its files, and who may call it.
    public struct Daemon: Sendable, Equatable {
        public var socket = "/run/ccgd/ccgd.sock"
        public var socketMode: UInt32 = 0o660
        public var socketGroup: String?
        public var allowedUIDs: [UInt32] = [0]
        public var allowedGIDs: [UInt32] = []
        public var runtimeDirectory = "/run/ccgd"
        public var stateDirectory = "/var/lib/ccgd"
        public var credSpecDirectory = "/etc/ccgd/credspecs"
        /// DNS servers for finding the DCs of realms without a [domain] section (empty: resolv.conf).
        public var dnsServers: [String] = []
        public var logLevel = "info"
        public init() {}
    }

    /// `[plugins]`: defaults for every plug-in.
    public struct Plugins: Sendable, Equatable {
        public var directory = "/usr/lib/ccgd/plugins"
        /// The file plug-in reads only here (and systemd credentials): root's, not writable by group or others.
        public var credentialsDirectory = "/etc/ccgd/credentials"
        public var timeout: Duration = .seconds(10)
        /// The inline plug-in puts a password in the CredSpec: tests and demos only.
        public var allowInline = false
        public init() {}
    }

    /// `[plugin "{GUID}"]`: one registered plug-in.
    public struct Plugin: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case sharedObject(path: String)
            case executable(path: String, arguments: [String])
        }

        public var guid: UUID
        public var kind: Kind
        public var name: String?
        public var timeout: Duration?
        /// Extra environment for an executable plug-in.
        public var environment: [String: String]
        /// Where it was declared, for messages.
        public var line: Int
    }

    /// `[domain "REALM"]`: how to reach one domain.
    public struct Domain: Sendable, Equatable {
        public enum Protection: String, Sendable, Equatable { case sealed, ldaps }
        public var realm: String
        public var controllers: [DomainController] = []
        public var protection: Protection = .sealed
        public var caFile: String?
        public var timeout: Duration = .seconds(5)
    }

    /// The file this was read from ("" for built-in defaults), for messages.
    public var sourceFile = ""
    public var daemon = Daemon()
    public var plugins = Plugins()
    public var registeredPlugins: [Plugin] = []
    public var domains: [Domain] = []

    public init() {}

    /// The configuration in `path`; a missing file at the default path means all defaults.
    public static func load(path: String = defaultPath) throws(ConfigurationError) -> ServiceConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            if path == defaultPath && !FileManager.default.fileExists(atPath: path) { return ServiceConfiguration() }
            throw ConfigurationError(problems: [.init(file: path, line: nil, key: nil, message: "cannot read the file; check the path and its permissions")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(problems: [.init(file: path, line: nil, key: nil, message: "the file is not UTF-8 text")])
        }
        return try ServiceConfiguration(text: text, file: path)
    }

    /// Parses and checks `text`; throws every problem at once.
    public init(text: String, file: String) throws(ConfigurationError) {
        sourceFile = file
        let parsed = ConfigurationText(text, file: file)
        var reader = SectionReader(file: file, problems: parsed.problems)
        var seenSingletons: Set<String> = []
        var seenPlugins: Set<UUID> = [], seenDomains: Set<String> = []
        for section in parsed.sections {
            switch (section.name, section.argument) {
            case ("daemon", nil), ("plugins", nil):
                if !seenSingletons.insert(section.name).inserted {
                    reader.problem(section.line, nil, "\(section.title) appears twice; merge the two sections")
                }
                if section.name == "daemon" { reader.read(section, into: &daemon) } else { reader.read(section, into: &plugins) }
            case let ("plugin", guidText?):
                let bare = guidText.hasPrefix("{") && guidText.hasSuffix("}") ? String(guidText.dropFirst().dropLast()) : guidText
                guard let guid = UUID(uuidString: bare) else {
                    reader.problem(section.line, nil, "\(section.title): \"\(guidText)\" is not a GUID (expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx})")
                    continue
                }
                if !seenPlugins.insert(guid).inserted {
                    reader.problem(section.line, nil, "plug-in \(guidText) is registered twice; keep one section")
                }
                if let plugin = reader.readPlugin(section, guid: guid) { registeredPlugins.append(plugin) }
            case let ("domain", realm?):
                if !seenDomains.insert(realm.uppercased()).inserted {
                    reader.problem(section.line, nil, "domain \(realm) is configured twice; keep one section")
                }
                if let domain = reader.readDomain(section, realm: realm.uppercased()) { domains.append(domain) }
            case ("plugin", nil), ("domain", nil):
                reader.problem(section.line, nil, "[\(section.name)] needs an argument: write [\(section.name) \"\(section.name == "plugin" ? "{GUID}" : "REALM")\"]")
            default:
                reader.problem(section.line, nil, "unknown section \(section.title); the sections are [daemon], [plugins], [plugin \"{GUID}\"] and [domain \"REALM\"]")
            }
        }
        guard reader.problems.isEmpty else {
            let ordered = reader.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw ConfigurationError(problems: ordered.map(\.element))
        }
    }

    /// The settings for `realm`, if configured.
    public func domain(_ realm: String) -> Domain? {
        domains.first { $0.realm == realm.uppercased() }
    }
}

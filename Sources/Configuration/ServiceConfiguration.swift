import CredSpec
import DomainModel
import FoundationEssentials
import Glibc

/// ccgd's configuration (`/etc/ccgd/ccgd.conf`): every key has a default, unknown keys are
/// errors, and every problem is reported with its file, line and key.
package struct ServiceConfiguration: Sendable, Equatable {
    package static let defaultPath = "/etc/ccgd/ccgd.conf"

    /// `[daemon]`: where ccgd listens and keeps its files, and who may call it.
    package struct Daemon: Sendable, Equatable {
        package var socket = "/run/ccgd/ccgd.sock"
        package var socketMode: UInt32 = 0o660
        package var socketGroup: String?
        package var allowedUIDs: [UInt32] = [0]
        package var allowedGIDs: [UInt32] = []
        package var runtimeDirectory = "/run/ccgd"
        package var stateDirectory = "/var/lib/ccgd"
        package var credSpecDirectory = "/etc/ccgd/credspecs"
        /// Whether a change in the CredSpec directory is followed as a reload would, without one:
        /// a Kubernetes ConfigMap volume is updated by the kubelet, and nobody sends SIGHUP in a pod.
        package var watchCredSpecDirectory = true
        /// DNS servers for finding the DCs of realms without a [domain] section (empty: resolv.conf).
        package var dnsServers: [String] = []
        /// This host's AD site, over the one an LDAP ping finds (nil: ping); its DCs are asked first.
        package var site: String?
        package var logLevel = "info"
        /// Whether callers may send a CredSpec in the request (credentialSpec) rather than name
        /// one the operator put in the CredSpec directory.
        package var allowInlineCredSpecs = false
        /// Whether the named CredSpecs this node needs are fetched at start and on reload (and
        /// kept fresh): those leased here within `prefetchRecent`, and those a `[credspec]`
        /// section opts in to; never the whole directory (least privilege).
        package var prefetch = true
        /// How many background fetches (prefetch, restored leases, refreshes) run at once against one domain.
        package var prefetchConcurrency = 2
        /// Background fetches after a start or reload begin at random moments of this window: a
        /// fleet restarting at once does not reach its DCs at once (`prefetch-delay`, its former name).
        package var prefetchWindow: Duration = .seconds(120)
        /// A named CredSpec leased here within this long before a start is prefetched (0: none).
        package var prefetchRecent: Duration = .seconds(86_400)
        /// Leases a non-root caller may hold at once (nil: no limit); `[caller "UID"] max-leases` overrides it.
        package var maximumLeasesPerCaller: Int? = 128
        /// The share of the lease directories' file system that leases never take (left to the rest of /run).
        package var runtimeReservePercent = 10
        /// Connections of allowed peers to each socket (the API's, the ECS front end's), all together.
        package var maxConnections = 4096
        /// Each non-root uid's connections to each socket.
        package var maxConnectionsPerUID = 32
        /// Of `maxConnections`, those only root may use: non-root peers together never take them.
        package var rootReservedConnections = 256
        package init() {}
    }

    /// `[caller "UID"]`: what a non-root peer may do beyond leases owned by itself.
    package struct Caller: Sendable, Equatable {
        package var uid: UInt32
        /// Owners (besides its own uid and gid) it may create leases for.
        package var ownerUIDs = IDRanges()
        package var ownerGIDs = IDRanges()
        /// Leases it may hold at once, instead of `max-leases-per-caller` (`.some(nil)`: no limit; nil: that default).
        package var maximumLeases: Int??

        package init(uid: UInt32, ownerUIDs: IDRanges = IDRanges(), ownerGIDs: IDRanges = IDRanges(), maximumLeases: Int?? = nil) {
            self.uid = uid
            self.ownerUIDs = ownerUIDs
            self.ownerGIDs = ownerGIDs
            self.maximumLeases = maximumLeases
        }
    }

    /// `[credspec "NAME"]`: which non-root peers may use the named CredSpec NAME, and whether
    /// it is prefetched whatever this node did with it.
    package struct CredSpecAccess: Sendable, Equatable {
        /// The CredSpec's name without `.json`.
        package var name: String
        package var allowedUIDs = IDRanges()
        package var allowedGIDs = IDRanges()
        /// `prefetch = yes`: fetched at start and kept fresh (eager prefetch, an explicit opt-in).
        package var prefetch = false
        /// Whether the allow-list applies: false for a section that sets none of its keys but only
        /// others (`prefetch`, `oci-hook-in-pods`, `kubernetes-service-accounts`).
        package var restrictsUse = true
        /// The Kubernetes service accounts whose pods may mount it through the CSI volume
        /// (`namespace/name` or `namespace/*`); none: no pod may (the default).
        package var kubernetesServiceAccounts: [KubernetesServiceAccountPattern] = []
        /// `oci-hook-in-pods = yes`: the OCI hook may serve this CredSpec to a container of a
        /// Kubernetes pod (default no: pods get a gMSA through the CSI volume, which checks their
        /// service account; the hook's request can tell only that a container is a pod's).
        package var ociHookInPods = false

        package init(name: String, allowedUIDs: IDRanges = IDRanges(), allowedGIDs: IDRanges = IDRanges()) {
            self.name = name
            self.allowedUIDs = allowedUIDs
            self.allowedGIDs = allowedGIDs
        }
    }

    /// `[plugins]`: defaults for every plug-in.
    package struct Plugins: Sendable, Equatable {
        package var directory = "/usr/lib/ccgd/plugins"
        /// The file plug-in reads only here (and systemd credentials): root's, not writable by group or others.
        package var credentialsDirectory = "/etc/ccgd/credentials"
        package var timeout: Duration = .seconds(10)
        /// The inline plug-in puts a password in the CredSpec: tests and demos only.
        package var allowInline = false
        package init() {}
    }

    /// `[refresh]`: when tickets are renewed and how failed refreshes are retried.
    package struct Refresh: Sendable, Equatable {
        /// The fraction of a ticket's life after which a new one is obtained.
        package var ticketRenewal = 0.8
        /// The life asked for each account's ticket (nil: the KDC's maximum, usually 10 h).
        package var ticketLifetime: Duration?
        /// The first retry after a failed refresh; each further failure doubles it up to `retryMaximum`.
        package var retry: Duration = .seconds(30)
        package var retryMaximum: Duration = .seconds(600)
        package init() {}
    }

    /// `[ecs]`: credentials-fetcher's gRPC protocol for the Amazon ECS agent; on when the section
    /// is there (unless `enabled = no`), off without it.
    package struct ECS: Sendable, Equatable {
        package var enabled = false
        /// The agent's default socket.
        package var socket = "/var/credentials-fetcher/socket/credentials_fetcher.sock"
        package var socketMode: UInt32 = 0o660
        /// Each lease's directories go under `<krbFilesDirectory>/<lease id>/<gMSA name>`.
        package var krbFilesDirectory = "/var/credentials-fetcher/krbdir"
        /// Who owns the files of the leases the agent asks for (`lease-uid`, `lease-gid`,
        /// `lease-mode`): the agent passes no uid, so the operator says.
        package var leaseFiles = ECSLeaseFiles()
        /// The same keys per gMSA (`[ecs-gmsa "NAME"]`), for the tasks of one gMSA running as
        /// another user: each key not set there is `[ecs]`'s.
        package var accounts: [ECSAccount] = []
        package init() {}

        /// The files' owner and mode for the gMSA `name` (its `[ecs-gmsa]` section's keys over `[ecs]`'s).
        package func leaseFiles(forGMSA name: String) -> ECSLeaseFiles {
            let key = ECSAccount.plainName(name)
            guard let account = accounts.first(where: { $0.name == key }) else { return leaseFiles }
            return account.leaseFiles.over(leaseFiles)
        }
    }

    /// The owner and mode of an ECS lease's files; a key not set is the default's (the agent's
    /// uid and gid, files for the owner only).
    package struct ECSLeaseFiles: Sendable, Equatable {
        package enum Mode: String, Sendable, Equatable {
            /// Only `uid` reads the files (0600, the directory 0700).
            case owner
            /// `gid` reads them too (0640, the directory 0750).
            case group
        }

        /// nil: the agent's uid.
        package var uid: UInt32?
        /// nil: the agent's primary gid.
        package var gid: UInt32?
        /// nil: `owner`.
        package var mode: Mode?

        package init(uid: UInt32? = nil, gid: UInt32? = nil, mode: Mode? = nil) {
            self.uid = uid
            self.gid = gid
            self.mode = mode
        }

        /// These keys, each unset one taken from `defaults`.
        func over(_ defaults: ECSLeaseFiles) -> ECSLeaseFiles {
            ECSLeaseFiles(uid: uid ?? defaults.uid, gid: gid ?? defaults.gid, mode: mode ?? defaults.mode)
        }
    }

    /// `[ecs-gmsa "NAME"]`: the owner and mode of the files of gMSA NAME's ECS lease directories.
    package struct ECSAccount: Sendable, Equatable {
        /// The gMSA's name as `plainName` spells it.
        package var name: String
        package var leaseFiles = ECSLeaseFiles()

        package init(name: String, leaseFiles: ECSLeaseFiles = ECSLeaseFiles()) {
            self.name = ECSAccount.plainName(name)
            self.leaseFiles = leaseFiles
        }

        /// `webapp01` for `WebApp01` and `WebApp01$`: AD's names are case-insensitive, and a
        /// CredSpec may name the account either way.
        package static func plainName(_ name: String) -> String {
            (name.hasSuffix("$") ? String(name.dropLast()) : name).lowercased()
        }
    }

    /// `[csi]`: the Kubernetes CSI node plug-in (ephemeral inline volumes holding a pod's lease);
    /// on when the section is there (unless `enabled = no`), off without it.
    package struct CSI: Sendable, Equatable {
        package var enabled = false
        /// The CSIDriver object's name, which pods write as their volume's `driver`.
        package var driverName = CSI.defaultDriverName
        /// The CSI endpoint; nil: `<kubelet directory>/plugins/<driver name>/csi.sock`.
        package var socket: String?
        /// Where ccgd registers with the kubelet (a socket `<driver name>-reg.sock` in it); nil:
        /// `<kubelet directory>/plugins_registry`.
        package var registrationDirectory: String?
        /// false (`registration-directory = none`): a node-driver-registrar sidecar registers instead.
        package var registers = true
        /// The kubelet's root: every target path a publish names must be under its `pods/`.
        package var kubeletDirectory = CSI.defaultKubeletDirectory
        /// The node's name in NodeGetInfo; nil: the host name.
        package var nodeID: String?

        package static let defaultDriverName = "gmsa.csi.ccgd"
        package static let defaultKubeletDirectory = "/var/lib/kubelet"

        package init() {}

        /// The CSI endpoint's path.
        package var socketPath: String { socket ?? kubeletDirectory + "/plugins/" + driverName + "/csi.sock" }
        /// The registration socket's path, nil without one.
        package var registrationSocketPath: String? {
            registers ? (registrationDirectory ?? kubeletDirectory + "/plugins_registry") + "/" + driverName + "-reg.sock" : nil
        }

        /// Whether `name` may be a CSI driver's name: domain name notation, at most 63
        /// characters, alphanumerics at both ends (the CSI specification's GetPluginInfo rule).
        package static func isDriverName(_ name: String) -> Bool {
            let bytes = Array(name.utf8)
            func alphanumeric(_ byte: UInt8) -> Bool {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, alphanumeric(first), alphanumeric(last) else { return false }
            return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
        }
    }

    /// `[metrics]`: `GET /metrics` over TCP as well, for a Prometheus that cannot reach the
    /// Unix socket; off unless `listen` is set, loopback unless an address is given.
    package struct Metrics: Sendable, Equatable {
        package struct Endpoint: Sendable, Equatable, CustomStringConvertible {
            package var host: String
            package var port: Int

            package init(host: String, port: Int) {
                self.host = host
                self.port = port
            }

            /// `9464` (loopback), `127.0.0.1:9464`, `[::1]:9464`; a numeric address, never a name.
            package init?(parsing text: String) {
                var host = "127.0.0.1", portText = Substring(text)
                if text.hasPrefix("[") {
                    guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                    host = String(text[text.index(after: text.startIndex)..<close])
                    portText = text[text.index(close, offsetBy: 2)...]
                    var address = in6_addr()
                    guard inet_pton(AF_INET6, host, &address) == 1 else { return nil }
                } else if let colon = text.lastIndex(of: ":") {
                    host = String(text[..<colon])
                    portText = text[text.index(after: colon)...]
                    var address = in_addr()
                    guard inet_pton(AF_INET, host, &address) == 1 else { return nil }
                }
                // 0: a port the kernel chooses (logged at start), for tests and one-off runs.
                guard let port = Int(portText), (0...65535).contains(port) else { return nil }
                self.init(host: host, port: port)
            }

            package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        }

        /// Where to listen; nil: no TCP listener (the default).
        package var listen: Endpoint?
        package init() {}
    }

    /// `[plugin "{GUID}"]`: one registered plug-in.
    package struct Plugin: Sendable, Equatable {
        package enum Kind: Sendable, Equatable {
            case sharedObject(path: String)
            case executable(path: String, arguments: [String])
        }

        package var guid: UUID
        package var kind: Kind
        package var name: String?
        package var timeout: Duration?
        /// Extra environment for an executable plug-in.
        package var environment: [String: String]
        /// Where it was declared, for messages.
        package var line: Int
    }

    /// `[domain "REALM"]`: how to reach one domain.
    package struct Domain: Sendable, Equatable {
        package enum Protection: String, Sendable, Equatable { case sealed, ldaps }
        package var realm: String
        package var controllers: [DomainController] = []
        package var protection: Protection = .sealed
        package var caFile: String?
        /// Each step with a DC (the TCP connection, each LDAP answer) waits this long before the
        /// next DC is asked: a DC on the network answers in milliseconds, and a hung one (it
        /// accepts connections, answers nothing) must cost a request about a second, not many.
        package var timeout: Duration = .seconds(1)
        /// `domain-joined` reads the passwords with the host's computer account even for a CredSpec with a HostAccountConfig.
        package var forcesDomainJoined = false
        /// The host's computer account keytab, as realm/adcli/`net ads join` leave it.
        package var machineKeytab = Domain.defaultMachineKeytab
        /// The computer account's principal; nil: `<SHORT HOST NAME>$@REALM`.
        package var machinePrincipal: String?

        package static let defaultMachineKeytab = "/etc/krb5.keytab"

        package init(realm: String) { self.realm = realm }
    }

    /// The file this was read from ("" for built-in defaults), for messages.
    package var sourceFile = ""
    package var daemon = Daemon()
    package var plugins = Plugins()
    package var refresh = Refresh()
    package var ecs = ECS()
    package var metrics = Metrics()
    package var csi = CSI()
    package var registeredPlugins: [Plugin] = []
    package var domains: [Domain] = []
    package var callers: [Caller] = []
    package var credSpecAccess: [CredSpecAccess] = []

    package init() {}

    /// The configuration in `path`. A missing file at the default path means all defaults (its
    /// `sourceFile` is then empty), unless `named`: a file named on a command line must be there.
    package static func load(path: String = defaultPath, named: Bool = false) throws(ConfigurationError) -> ServiceConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let missing = !FileManager.default.fileExists(atPath: path)
            if path == defaultPath && missing && !named { return ServiceConfiguration() }
            let message =
                missing
                ? "no such file; create it (docs/ccgd.conf.example has every key and its default) or name another with --config"
                : "cannot read the file; check its permissions"
            throw ConfigurationError(problems: [.init(file: path, line: nil, key: nil, message: message)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(problems: [.init(file: path, line: nil, key: nil, message: "the file is not UTF-8 text")])
        }
        return try ServiceConfiguration(text: text, file: path)
    }

    /// Parses and checks `text`; throws every problem at once.
    package init(text: String, file: String) throws(ConfigurationError) {
        sourceFile = file
        let parsed = ConfigurationText(text, file: file)
        var reader = SectionReader(file: file, problems: parsed.problems)
        var seenSingletons: Set<String> = []
        var seenPlugins: Set<UUID> = [], seenDomains: Set<String> = [], seenCallers: Set<UInt32> = [], seenCredSpecs: Set<String> = []
        var ecsSection: ConfigurationText.Section?, ecsAccountSections: [ConfigurationText.Section] = []
        for section in parsed.sections {
            switch (section.name, section.argument) {
            case ("daemon", nil), ("plugins", nil), ("refresh", nil), ("ecs", nil), ("metrics", nil), ("csi", nil):
                if !seenSingletons.insert(section.name).inserted {
                    reader.problem(section.line, nil, "\(section.title) appears twice; merge the two sections")
                }
                switch section.name {
                case "daemon": reader.read(section, into: &daemon)
                case "plugins": reader.read(section, into: &plugins)
                case "ecs":
                    reader.read(section, into: &ecs)
                    ecsSection = section
                case "metrics": reader.read(section, into: &metrics)
                case "csi": reader.read(section, into: &csi)
                default: reader.read(section, into: &refresh)
                }
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
            case let ("caller", uidText?):
                guard let uid = UInt32(uidText), uid != UInt32.max else {
                    reader.problem(section.line, nil, "\(section.title): \"\(uidText)\" is not a numeric user id")
                    continue
                }
                if !seenCallers.insert(uid).inserted {
                    reader.problem(section.line, nil, "caller \(uid) is configured twice; keep one section")
                }
                callers.append(reader.readCaller(section, uid: uid))
            case let ("credspec", nameText?):
                let name = CredSpecAccess.plainName(nameText)
                if !seenCredSpecs.insert(name).inserted {
                    reader.problem(section.line, nil, "CredSpec \(name) is configured twice; keep one section")
                }
                credSpecAccess.append(reader.readCredSpecAccess(section, name: name))
            case let ("ecs-gmsa", name?):
                guard let account = reader.readECSAccount(section, name: name) else { continue }
                if ecs.accounts.contains(where: { $0.name == account.name }) {
                    reader.problem(section.line, nil, "gMSA \(name) of [ecs-gmsa] is configured twice; keep one section")
                }
                ecs.accounts.append(account)
                ecsAccountSections.append(section)
            case ("plugin", nil), ("domain", nil), ("caller", nil), ("credspec", nil), ("ecs-gmsa", nil):
                let argument = ["plugin": "{GUID}", "domain": "REALM", "caller": "UID", "credspec": "NAME", "ecs-gmsa": "NAME"][section.name] ?? ""
                reader.problem(section.line, nil, "[\(section.name)] needs an argument: write [\(section.name) \"\(argument)\"]")
            default:
                reader.problem(
                    section.line, nil,
                    "unknown section \(section.title); the sections are [daemon], [plugins], [refresh], [ecs], [ecs-gmsa \"NAME\"], [csi], [metrics], [plugin \"{GUID}\"], [domain \"REALM\"], [caller \"UID\"] and [credspec \"NAME\"]"
                )
            }
        }
        reader.check(ecs, section: ecsSection, accountSections: ecsAccountSections)
        guard reader.problems.isEmpty else {
            let ordered = reader.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw ConfigurationError(problems: ordered.map(\.element))
        }
    }

    /// The grants of the non-root peer `uid`, if configured.
    package func caller(_ uid: UInt32) -> Caller? {
        callers.first { $0.uid == uid }
    }

    /// The settings for `realm`, if configured.
    package func domain(_ realm: String) -> Domain? {
        domains.first { $0.realm == realm.uppercased() }
    }
}

extension ServiceConfiguration.CredSpecAccess {
    /// `WebApp01` for `WebApp01` and `WebApp01.json` (any case of `.json`, as the CredSpec
    /// directory reads it): a CredSpec is named either way, and its section applies to both.
    package static func plainName(_ name: String) -> String {
        CredSpecName.stem(of: name)
    }
}

import DomainModel
import FoundationEssentials
import Glibc

/// Reads the keys of each section into typed settings, collecting problems.
struct SectionReader {
    let file: String
    var problems: [ConfigurationProblem]

    mutating func problem(_ line: Int, _ key: String?, _ message: String) {
        problems.append(ConfigurationProblem(file: file, line: line, key: key, message: message))
    }

    /// Calls `apply` for each entry with a known key; reports unknown and repeated keys.
    private mutating func entries(
        _ section: ConfigurationText.Section, known: [String],
        _ apply: (inout SectionReader, ConfigurationText.Entry) -> Void
    ) {
        var seen: Set<String> = []
        for entry in section.entries {
            guard known.contains(entry.key) else {
                problem(entry.line, entry.key, "unknown key in \(section.title); the keys there are \(known.joined(separator: ", "))")
                continue
            }
            if !seen.insert(entry.key).inserted {
                problem(entry.line, entry.key, "set twice in \(section.title); keep one")
            }
            apply(&self, entry)
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into daemon: inout ServiceConfiguration.Daemon) {
        entries(
            section,
            known: [
                "socket", "socket-mode", "socket-group", "allowed-uids", "allowed-gids",
                "runtime-directory", "state-directory", "credspec-directory", "watch-credspec-directory", "dns-servers", "site", "log-level",
                "allow-inline-credspecs", "prefetch", "prefetch-concurrency", "prefetch-window", "prefetch-delay",
                "prefetch-recent",
                "max-leases-per-caller", "runtime-reserve",
                "max-connections", "max-connections-per-uid", "root-reserved-connections",
            ]
        ) { reader, entry in
            switch entry.key {
            case "socket": daemon.socket = reader.absolutePath(entry) ?? daemon.socket
            case "socket-mode":
                if let mode = UInt32(entry.value, radix: 8), mode <= 0o777 {
                    daemon.socketMode = mode
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not an octal file mode like 0660")
                }
            case "socket-group": daemon.socketGroup = entry.value.isEmpty ? nil : entry.value
            case "allowed-uids": daemon.allowedUIDs = reader.ids(entry) ?? daemon.allowedUIDs
            case "allowed-gids": daemon.allowedGIDs = reader.ids(entry) ?? daemon.allowedGIDs
            case "runtime-directory": daemon.runtimeDirectory = reader.absolutePath(entry) ?? daemon.runtimeDirectory
            case "state-directory": daemon.stateDirectory = reader.absolutePath(entry) ?? daemon.stateDirectory
            case "credspec-directory": daemon.credSpecDirectory = reader.absolutePath(entry) ?? daemon.credSpecDirectory
            case "watch-credspec-directory": daemon.watchCredSpecDirectory = reader.boolean(entry) ?? daemon.watchCredSpecDirectory
            case "allow-inline-credspecs": daemon.allowInlineCredSpecs = reader.boolean(entry) ?? daemon.allowInlineCredSpecs
            case "prefetch": daemon.prefetch = reader.boolean(entry) ?? daemon.prefetch
            case "max-leases-per-caller": daemon.maximumLeasesPerCaller = reader.leaseCount(entry) ?? daemon.maximumLeasesPerCaller
            case "runtime-reserve":
                if entry.value.hasSuffix("%"), let percent = Int(entry.value.dropLast()), (0...90).contains(percent) {
                    daemon.runtimeReservePercent = percent
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not a share of the file system like 10% (0% to 90%)")
                }
            case "prefetch-concurrency":
                if let count = Int(entry.value), (1...64).contains(count) {
                    daemon.prefetchConcurrency = count
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not a number of concurrent fetches per domain from 1 to 64")
                }
            case "max-connections":
                daemon.maxConnections = reader.connectionCount(entry, from: 1) ?? daemon.maxConnections
            case "max-connections-per-uid":
                daemon.maxConnectionsPerUID = reader.connectionCount(entry, from: 1) ?? daemon.maxConnectionsPerUID
            case "root-reserved-connections":
                daemon.rootReservedConnections = reader.connectionCount(entry, from: 0) ?? daemon.rootReservedConnections
            case "prefetch-window", "prefetch-delay":
                // 0: no spreading (a single host, or tests); otherwise a duration like any other.
                daemon.prefetchWindow = entry.value == "0" ? .zero : reader.duration(entry) ?? daemon.prefetchWindow
            case "prefetch-recent":
                daemon.prefetchRecent = entry.value == "0" ? .zero : reader.duration(entry) ?? daemon.prefetchRecent
            case "dns-servers":
                daemon.dnsServers = entry.value.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { server in
                    // Empty parts kept: ":" has no parts[0] to read otherwise, and "1..2.3.4" is no address.
                    let parts = server.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                    let dotted = parts[0].split(separator: ".", omittingEmptySubsequences: false)
                    guard dotted.count == 4, dotted.allSatisfy({ UInt8($0) != nil }), parts.count == 1 || UInt16(parts[1]) != nil else {
                        reader.problem(entry.line, entry.key, "\"\(server)\" is not an IPv4 address[:port]")
                        return nil
                    }
                    return String(server)
                }
            case "site":
                // A site's name is one DNS label in its SRV records (_ldap._tcp.<site>._sites…).
                let name = entry.value
                if name.isEmpty {
                    daemon.site = nil
                } else if name.count <= 63, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
                    daemon.site = name
                } else {
                    reader.problem(entry.line, entry.key, "\"\(name)\" is no AD site name (letters, digits, - and _, at most 63)")
                }
            default:
                let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                if levels.contains(entry.value.lowercased()) {
                    daemon.logLevel = entry.value.lowercased()
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not a log level (\(levels.joined(separator: ", ")))")
                }
            }
        }
        if let former = section.entries.last(where: { $0.key == "prefetch-delay" }), section.entries.contains(where: { $0.key == "prefetch-window" }) {
            problem(former.line, former.key, "prefetch-delay is the former name of prefetch-window; keep prefetch-window only")
        }
        if daemon.rootReservedConnections >= daemon.maxConnections {
            let (reserve, total) = (daemon.rootReservedConnections, daemon.maxConnections)
            if let entry = section.entries.last(where: { $0.key == "root-reserved-connections" }) {
                problem(
                    entry.line, entry.key,
                    "\(reserve) reserved for root leaves no connection of max-connections (\(total)) to other peers; make it smaller than max-connections")
            } else {
                let line = section.entries.last { $0.key == "max-connections" }?.line ?? section.line
                problem(
                    line, "max-connections",
                    "\(total) leaves no connection to peers other than root beside the \(reserve) of root-reserved-connections (its default); raise max-connections or set root-reserved-connections below it"
                )
            }
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into plugins: inout ServiceConfiguration.Plugins) {
        entries(section, known: ["directory", "credentials-directory", "timeout", "allow-inline"]) { reader, entry in
            switch entry.key {
            case "directory": plugins.directory = reader.absolutePath(entry) ?? plugins.directory
            case "credentials-directory": plugins.credentialsDirectory = reader.absolutePath(entry) ?? plugins.credentialsDirectory
            case "timeout": plugins.timeout = reader.duration(entry) ?? plugins.timeout
            default: plugins.allowInline = reader.boolean(entry) ?? plugins.allowInline
            }
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into ecs: inout ServiceConfiguration.ECS) {
        ecs.enabled = true
        entries(section, known: ["enabled", "socket", "socket-mode", "krb-files-directory"] + Self.leaseFileKeys) { reader, entry in
            switch entry.key {
            case "enabled": ecs.enabled = reader.boolean(entry) ?? ecs.enabled
            case "socket": ecs.socket = reader.absolutePath(entry) ?? ecs.socket
            case "socket-mode":
                if let mode = UInt32(entry.value, radix: 8), mode <= 0o777 {
                    ecs.socketMode = mode
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not an octal file mode like 0660")
                }
            case "krb-files-directory": ecs.krbFilesDirectory = reader.absolutePath(entry) ?? ecs.krbFilesDirectory
            default: reader.read(entry, into: &ecs.leaseFiles)
            }
        }
    }

    /// The keys of `[ecs]` and `[ecs-gmsa "NAME"]` that say who owns an ECS lease's files.
    static let leaseFileKeys = ["lease-uid", "lease-gid", "lease-mode"]

    mutating func readECSAccount(_ section: ConfigurationText.Section, name: String) -> ServiceConfiguration.ECSAccount? {
        let plain = name.hasSuffix("$") ? String(name.dropLast()) : name
        guard !plain.isEmpty, !plain.contains(where: { "/\\@:".contains($0) }) else {
            problem(
                section.line, nil,
                "\(section.title): \"\(name)\" is not a gMSA's name like WebApp01 (no domain, as in the CredSpec's GroupManagedServiceAccounts)")
            return nil
        }
        var account = ServiceConfiguration.ECSAccount(name: name)
        entries(section, known: Self.leaseFileKeys) { reader, entry in reader.read(entry, into: &account.leaseFiles) }
        return account
    }

    private mutating func read(_ entry: ConfigurationText.Entry, into files: inout ServiceConfiguration.ECSLeaseFiles) {
        switch entry.key {
        case "lease-uid": files.uid = id(entry) ?? files.uid
        case "lease-gid": files.gid = id(entry) ?? files.gid
        default:
            if let mode = ServiceConfiguration.ECSLeaseFiles.Mode(rawValue: entry.value.lowercased()) {
                files.mode = mode
            } else {
                problem(entry.line, entry.key, "\"\(entry.value)\" is not owner (only lease-uid reads the files) or group (lease-gid reads them too)")
            }
        }
    }

    /// Problems of the ECS lease files' keys that only the whole file shows: a group mode without
    /// a group (where it takes effect), `[ecs-gmsa]` sections without `[ecs]`.
    mutating func check(
        _ ecs: ServiceConfiguration.ECS, section: ConfigurationText.Section?,
        accountSections: [ConfigurationText.Section]
    ) {
        guard let section else {
            for account in accountSections {
                problem(account.line, nil, "\(account.title) has no effect without an [ecs] section; add [ecs] or remove it")
            }
            return
        }
        func groupless(_ files: ServiceConfiguration.ECSLeaseFiles) -> Bool { files.mode == .group && files.gid == nil }
        if groupless(ecs.leaseFiles) {
            problem(
                section.entries.last { $0.key == "lease-mode" }?.line ?? section.line, "lease-mode",
                "lease-mode = group in [ecs] needs lease-gid, the group whose members may read the files; set it")
        }
        for (account, accountSection) in zip(ecs.accounts, accountSections) where groupless(account.leaseFiles.over(ecs.leaseFiles)) {
            let line = accountSection.entries.last { $0.key == "lease-mode" }?.line ?? accountSection.line
            problem(line, "lease-mode", "lease-mode = group for \(accountSection.title) needs lease-gid, there or in [ecs]; set it")
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into metrics: inout ServiceConfiguration.Metrics) {
        entries(section, known: ["listen"]) { reader, entry in
            guard !entry.value.isEmpty else { return metrics.listen = nil }
            guard let endpoint = ServiceConfiguration.Metrics.Endpoint(parsing: entry.value) else {
                return reader.problem(
                    entry.line, entry.key,
                    "\"\(entry.value)\" is not PORT, ADDRESS:PORT or [IPV6-ADDRESS]:PORT (e.g. 127.0.0.1:9464); empty turns the listener off")
            }
            metrics.listen = endpoint
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into refresh: inout ServiceConfiguration.Refresh) {
        entries(section, known: ["ticket-renewal", "ticket-lifetime", "retry", "retry-maximum"]) { reader, entry in
            switch entry.key {
            case "ticket-renewal":
                let text = entry.value.hasSuffix("%") ? String(entry.value.dropLast()) : entry.value
                if let percent = Double(text), percent >= 10, percent <= 95 {
                    refresh.ticketRenewal = percent / 100
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not a share of a ticket's life between 10% and 95%, like 80%")
                }
            case "ticket-lifetime":
                guard !entry.value.isEmpty else { refresh.ticketLifetime = nil; return }
                guard let lifetime = reader.duration(entry) else { return }
                if lifetime < .seconds(10) {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is shorter than a ticket can usefully live; use at least 10s")
                } else {
                    refresh.ticketLifetime = lifetime
                }
            case "retry": refresh.retry = reader.duration(entry) ?? refresh.retry
            default: refresh.retryMaximum = reader.duration(entry) ?? refresh.retryMaximum
            }
        }
        if refresh.retryMaximum < refresh.retry {
            problem(section.line, "retry-maximum", "retry-maximum is shorter than retry; make it at least as long")
        }
    }

    mutating func readPlugin(_ section: ConfigurationText.Section, guid: UUID) -> ServiceConfiguration.Plugin? {
        var sharedObject: String?, executable: String?, arguments: [String] = [], name: String?, timeout: Duration?
        var environment: [String: String] = [:]
        entries(section, known: ["shared-object", "executable", "arguments", "name", "timeout", "environment"]) { reader, entry in
            switch entry.key {
            case "shared-object": sharedObject = reader.absolutePath(entry)
            case "executable": executable = reader.absolutePath(entry)
            case "arguments": arguments = entry.value.split(separator: " ").map(String.init)
            case "name": name = entry.value
            case "timeout": timeout = reader.duration(entry)
            default:
                for pair in entry.value.split(separator: " ") {
                    guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                        reader.problem(entry.line, entry.key, "\"\(pair)\" is not NAME=VALUE")
                        continue
                    }
                    environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
                }
            }
        }
        switch (sharedObject, executable) {
        case let (path?, nil):
            return .init(guid: guid, kind: .sharedObject(path: path), name: name, timeout: timeout, environment: environment, line: section.line)
        case let (nil, path?):
            return .init(
                guid: guid, kind: .executable(path: path, arguments: arguments), name: name, timeout: timeout,
                environment: environment, line: section.line)
        case (.some, .some):
            problem(section.line, nil, "\(section.title) sets both shared-object and executable; keep one")
        case (nil, nil):
            problem(section.line, nil, "\(section.title) sets neither shared-object nor executable; say where the plug-in is")
        }
        return nil
    }

    mutating func readCaller(_ section: ConfigurationText.Section, uid: UInt32) -> ServiceConfiguration.Caller {
        var caller = ServiceConfiguration.Caller(uid: uid)
        entries(section, known: ["owner-uids", "owner-gids", "max-leases"]) { reader, entry in
            switch entry.key {
            case "owner-uids": caller.ownerUIDs = reader.idRanges(entry) ?? caller.ownerUIDs
            case "owner-gids": caller.ownerGIDs = reader.idRanges(entry) ?? caller.ownerGIDs
            default: caller.maximumLeases = reader.leaseCount(entry) ?? caller.maximumLeases
            }
        }
        return caller
    }

    mutating func readCredSpecAccess(_ section: ConfigurationText.Section, name: String) -> ServiceConfiguration.CredSpecAccess {
        var access = ServiceConfiguration.CredSpecAccess(name: name)
        entries(section, known: ["allowed-uids", "allowed-gids", "prefetch", "oci-hook-in-pods", "kubernetes-service-accounts"]) { reader, entry in
            switch entry.key {
            case "allowed-uids": access.allowedUIDs = reader.idRanges(entry) ?? access.allowedUIDs
            case "allowed-gids": access.allowedGIDs = reader.idRanges(entry) ?? access.allowedGIDs
            case "oci-hook-in-pods": access.ociHookInPods = reader.boolean(entry) ?? access.ociHookInPods
            case "kubernetes-service-accounts": access.kubernetesServiceAccounts = reader.serviceAccountPatterns(entry)
            default: access.prefetch = reader.boolean(entry) ?? access.prefetch
            }
        }
        // A section that only opts in to prefetch or grants pods says nothing about which of the
        // socket's peers may use the CredSpec.
        let keys = Set(section.entries.map(\.key))
        access.restrictsUse = keys.isEmpty || !keys.isSubset(of: ["prefetch", "oci-hook-in-pods", "kubernetes-service-accounts"])
        return access
    }

    /// `ns/name, ns/*`: separated by commas or spaces; each a namespace (a DNS label) and a
    /// service account's name (a DNS subdomain) or `*` for every service account of the namespace.
    mutating func serviceAccountPatterns(_ entry: ConfigurationText.Entry) -> [KubernetesServiceAccountPattern] {
        entry.value.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { text in
            guard let pattern = KubernetesServiceAccountPattern(parsing: String(text)) else {
                problem(
                    entry.line, entry.key,
                    "\"\(text)\" is not NAMESPACE/SERVICE-ACCOUNT or NAMESPACE/* (lower-case Kubernetes names, e.g. webapp/webapp-sa)")
                return nil
            }
            return pattern
        }
    }

    mutating func read(_ section: ConfigurationText.Section, into csi: inout ServiceConfiguration.CSI) {
        csi.enabled = true
        entries(section, known: ["enabled", "driver-name", "socket", "registration-directory", "kubelet-directory", "node-id"]) { reader, entry in
            switch entry.key {
            case "enabled": csi.enabled = reader.boolean(entry) ?? csi.enabled
            case "driver-name":
                if ServiceConfiguration.CSI.isDriverName(entry.value) {
                    csi.driverName = entry.value
                } else {
                    reader.problem(
                        entry.line, entry.key,
                        "\"\(entry.value)\" is not a CSI driver name (letters, digits, '-' and '.', at most 63, a letter or digit at each end, e.g. gmsa.csi.example.com)"
                    )
                }
            case "socket": csi.socket = reader.absolutePath(entry) ?? csi.socket
            case "registration-directory":
                if entry.value.lowercased() == "none" {
                    csi.registers = false
                } else {
                    csi.registrationDirectory = reader.absolutePath(entry) ?? csi.registrationDirectory
                }
            case "kubelet-directory": csi.kubeletDirectory = reader.absolutePath(entry) ?? csi.kubeletDirectory
            default:
                // Empty: the host name.
                if entry.value.isEmpty {
                    csi.nodeID = nil
                } else if entry.value.utf8.count > 253 || entry.value.contains(where: { $0.isWhitespace || $0 == "/" }) {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not a node name; give the Kubernetes node's name")
                } else {
                    csi.nodeID = entry.value
                }
            }
        }
    }

    mutating func readDomain(_ section: ConfigurationText.Section, realm: String) -> ServiceConfiguration.Domain? {
        var domain = ServiceConfiguration.Domain(realm: realm)
        entries(section, known: ["controllers", "protection", "ca-file", "timeout", "mode", "machine-keytab", "machine-principal"]) { reader, entry in
            switch entry.key {
            case "controllers":
                domain.controllers = entry.value.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { text in
                    guard let controller = DomainController(parsing: String(text)) else {
                        reader.problem(entry.line, entry.key, "\"\(text)\" is not NAME or NAME=ADDRESS[:PORT]")
                        return nil
                    }
                    return controller
                }
            case "protection":
                if let value = ServiceConfiguration.Domain.Protection(rawValue: entry.value.lowercased()) {
                    domain.protection = value
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not sealed or ldaps")
                }
            case "ca-file": domain.caFile = reader.absolutePath(entry)
            case "mode":
                switch entry.value.lowercased() {
                case "domain-joined": domain.forcesDomainJoined = true
                case "credspec": domain.forcesDomainJoined = false
                default: reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not credspec or domain-joined")
                }
            case "machine-keytab": domain.machineKeytab = reader.absolutePath(entry) ?? domain.machineKeytab
            case "machine-principal":
                if entry.value.contains("@") {
                    domain.machinePrincipal = entry.value
                } else {
                    reader.problem(entry.line, entry.key, "\"\(entry.value)\" is not NAME$@REALM")
                }
            default: domain.timeout = reader.duration(entry) ?? domain.timeout
            }
        }
        return domain
    }

    // MARK: values

    mutating func absolutePath(_ entry: ConfigurationText.Entry) -> String? {
        guard entry.value.hasPrefix("/") else {
            problem(entry.line, entry.key, "\"\(entry.value)\" is not an absolute path")
            return nil
        }
        return entry.value
    }

    /// A number of leases, or `none` for no limit (`.some(nil)`).
    mutating func leaseCount(_ entry: ConfigurationText.Entry) -> Int?? {
        if entry.value == "none" { return .some(nil) }
        if let count = Int(entry.value), (0...1_000_000).contains(count) { return .some(count) }
        problem(entry.line, entry.key, "\"\(entry.value)\" is not a number of leases from 0 to 1000000, or none for no limit")
        return nil
    }

    mutating func boolean(_ entry: ConfigurationText.Entry) -> Bool? {
        switch entry.value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default:
            problem(entry.line, entry.key, "\"\(entry.value)\" is not yes or no")
            return nil
        }
    }

    /// One numeric id; 4294967295 (-1, "no change" to chown) is none.
    mutating func id(_ entry: ConfigurationText.Entry) -> UInt32? {
        guard let id = UInt32(entry.value), id != UInt32.max else {
            problem(entry.line, entry.key, "\"\(entry.value)\" is not a numeric id from 0 to 4294967294")
            return nil
        }
        return id
    }

    mutating func ids(_ entry: ConfigurationText.Entry) -> [UInt32]? {
        let parts = entry.value.split(whereSeparator: { $0 == " " || $0 == "," })
        let ids = parts.compactMap { UInt32($0) }
        guard ids.count == parts.count else {
            problem(entry.line, entry.key, "\"\(entry.value)\" is not a list of numeric ids like 0, 1000")
            return nil
        }
        return ids
    }

    mutating func idRanges(_ entry: ConfigurationText.Entry) -> IDRanges? {
        guard let ranges = IDRanges(parsing: entry.value) else {
            problem(entry.line, entry.key, "\"\(entry.value)\" is not a list of numeric ids and ranges like 1000, 100000-165535")
            return nil
        }
        return ranges
    }

    /// The most connections a limit may name: ccgd raises its open-file limit to at most 65536.
    static let maximumConnections = 65536

    /// A whole number of connections from `minimum` to `maximumConnections`.
    mutating func connectionCount(_ entry: ConfigurationText.Entry, from minimum: Int) -> Int? {
        guard let count = Int(entry.value), count >= minimum, count <= Self.maximumConnections else {
            problem(entry.line, entry.key, "\"\(entry.value)\" is not a number of connections from \(minimum) to \(Self.maximumConnections)")
            return nil
        }
        return count
    }

    /// The longest duration accepted: every one in ccgd.conf is a timeout, and a DC connection
    /// counts its timeout in an Int32 of milliseconds (about 24 days).
    static let maximumDurationMilliseconds = 24 * 3600 * 1000

    /// `10s`, `500ms`, `2m`, `1h`, or plain seconds; from 1ms to 24h.
    mutating func duration(_ entry: ConfigurationText.Entry) -> Duration? {
        let text = entry.value.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number > 0, number.isFinite else { continue }
            // Checked before converting: Int64(_:) traps on a Double beyond its range (59E138s).
            let milliseconds = (number * scale * 1000).rounded()
            guard milliseconds >= 1, milliseconds <= Double(Self.maximumDurationMilliseconds) else {
                problem(entry.line, entry.key, "\"\(entry.value)\" is out of range; give a duration from 1ms to 24h")
                return nil
            }
            return .milliseconds(Int64(milliseconds))
        }
        problem(entry.line, entry.key, "\"\(entry.value)\" is not a positive duration like 10s, 500ms or 2m")
        return nil
    }
}

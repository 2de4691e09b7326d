import Foundation
import LeaseService

/// The privileges a systemd unit gives its service (user, capabilities, securebits, no new
/// privileges) as `setpriv` options, so that a test starts ccgd exactly as ccgd.service does. A
/// [Service] key it neither translates nor knows to leave aside is an error: a new key in the
/// unit must be looked at, not silently skipped.
struct UnitPrivileges {
    struct Unknown: Error, CustomStringConvertible {
        let description: String
    }

    /// The keys translated to setpriv options.
    static let translated: Set<String> = ["User", "CapabilityBoundingSet", "AmbientCapabilities", "SecureBits", "NoNewPrivileges"]

    /// Keys that grant no privilege: service management, directories, and the sandbox (which only
    /// takes away; setpriv cannot apply it, so the test runs ccgd with more than systemd allows).
    static let leftAside: Set<String> = [
        "Type", "NotifyAccess", "ExecStart", "ExecReload", "Restart", "RestartSec", "WatchdogSec", "TimeoutStopSec",
        "RuntimeDirectory", "RuntimeDirectoryMode", "RuntimeDirectoryPreserve", "StateDirectory", "StateDirectoryMode",
        "ConfigurationDirectory", "ConfigurationDirectoryMode", "LoadCredential",
        "ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateIPC", "PrivateMounts", "ProtectHostname",
        "ProtectClock", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
        "ProtectProc", "ProcSubset", "RestrictAddressFamilies", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID",
        "LockPersonality", "MemoryDenyWriteExecute", "RemoveIPC", "SystemCallArchitectures", "SystemCallFilter",
        "SystemCallErrorNumber", "IPAddressDeny", "IPAddressAllow", "DevicePolicy", "UMask", "LimitCORE",
    ]

    /// setpriv's spelling of each securebit systemd's SecureBits= takes (keep-caps does not survive execve: setpriv refuses it).
    static let securebits = [
        "keep-caps-locked": "keep_caps_locked", "no-setuid-fixup": "no_setuid_fixup",
        "no-setuid-fixup-locked": "no_setuid_fixup_locked", "noroot": "noroot", "noroot-locked": "noroot_locked",
    ]

    /// The options, in order, to put before `--` and the program.
    let setprivArguments: [String]
    /// The capabilities left in the bounding set (nil: all of them).
    let boundingSet: [String]?
    let noNewPrivileges: Bool

    init(unit text: String) throws {
        var settings: [(key: String, value: String)] = []
        var section = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]" else { continue }
            guard let equals = line.firstIndex(of: "=") else { throw Unknown(description: "ccgd.service: \"\(line)\" is not key=value") }
            let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            guard Self.translated.contains(key) || Self.leftAside.contains(key) else {
                throw Unknown(
                    description:
                        "ccgd.service sets \(key)=, which this test cannot translate to setpriv options; translate it in UnitPrivileges or list it there as granting no privilege."
                )
            }
            if Self.translated.contains(key) {
                settings.append((key, String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)))
            }
        }

        var arguments: [String] = []
        // User=: systemd's last assignment wins; root (or none) keeps the uid.
        let user = settings.last { $0.key == "User" }?.value ?? ""
        if !["", "root", "0"].contains(user) {
            guard let entry = getpwnam(user) ?? UInt32(user).flatMap({ getpwuid($0) }) else {
                throw Unknown(description: "ccgd.service runs as User=\(user), which this machine does not know.")
            }
            arguments += ["--reuid=\(entry.pointee.pw_uid)", "--regid=\(entry.pointee.pw_gid)", "--init-groups"]
        }

        // CapabilityBoundingSet=: the assignments add up; an empty one resets; "~" inverts (not translated).
        var bounding: [String]?
        for setting in settings where setting.key == "CapabilityBoundingSet" {
            if setting.value.hasPrefix("~") {
                throw Unknown(description: "ccgd.service has an inverted CapabilityBoundingSet=\(setting.value); translate it in UnitPrivileges.")
            }
            bounding = setting.value.isEmpty ? [] : (bounding ?? []) + setting.value.split(separator: " ").map(String.init)
        }
        if let bounding {
            let kept = try bounding.map { "+" + (try Self.capability($0)) }
            arguments.append("--bounding-set=" + (["-all"] + kept).joined(separator: ","))
        }

        // AmbientCapabilities=: systemd raises each in the inheritable set too; none by default.
        var ambient: [String] = []
        for setting in settings where setting.key == "AmbientCapabilities" {
            if setting.value.hasPrefix("~") {
                throw Unknown(description: "ccgd.service has an inverted AmbientCapabilities=\(setting.value); translate it in UnitPrivileges.")
            }
            ambient = setting.value.isEmpty ? [] : ambient + setting.value.split(separator: " ").map(String.init)
        }
        let ambientList = try ["-all"] + ambient.map { "+" + (try Self.capability($0)) }
        arguments += ["--inh-caps=" + ambientList.joined(separator: ","), "--ambient-caps=" + ambientList.joined(separator: ",")]

        // SecureBits=: the assignments add up; an empty one resets.
        var bits: [String] = []
        for setting in settings where setting.key == "SecureBits" {
            bits = setting.value.isEmpty ? [] : bits + setting.value.split(separator: " ").map(String.init)
        }
        if !bits.isEmpty {
            let spelled = try bits.map { bit in
                guard let name = Self.securebits[bit] else { throw Unknown(description: "ccgd.service has SecureBits=\(bit), which setpriv cannot set.") }
                return "+" + name
            }
            arguments.append("--securebits=" + spelled.joined(separator: ","))
        }

        // NoNewPrivileges=: a boolean.
        var noNewPrivileges = false
        for setting in settings where setting.key == "NoNewPrivileges" {
            switch setting.value.lowercased() {
            case "yes", "true", "on", "1": noNewPrivileges = true
            case "no", "false", "off", "0", "": noNewPrivileges = false
            default: throw Unknown(description: "ccgd.service has NoNewPrivileges=\(setting.value), which is not a boolean.")
            }
        }
        if noNewPrivileges { arguments.append("--no-new-privs") }

        setprivArguments = arguments
        boundingSet = bounding
        self.noNewPrivileges = noNewPrivileges
    }

    /// `CAP_CHOWN` → `chown`, setpriv's spelling.
    private static func capability(_ name: String) throws -> String {
        guard name.hasPrefix("CAP_"), name.count > 4 else { throw Unknown(description: "ccgd.service names the capability \(name), which is not CAP_<name>.") }
        return name.dropFirst(4).lowercased()
    }
}

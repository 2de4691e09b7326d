import SystemBasics

/// A domain controller to talk to: its DNS name (what Kerberos and TLS know it by) and,
/// optionally, the address to connect to when its name does not resolve from here.
package struct DomainController: Sendable, Hashable, CustomStringConvertible {
    package var hostName: String
    package var address: String?
    package var ldapPort: UInt16
    package var ldapsPort: UInt16

    package init(hostName: String, address: String? = nil, ldapPort: UInt16 = 389, ldapsPort: UInt16 = 636) {
        self.hostName = hostName
        self.address = address
        self.ldapPort = ldapPort
        self.ldapsPort = ldapsPort
    }

    /// Parses `name`, `name=address` or `name=address:port` (the LDAP port), as written in config and flags.
    package init?(parsing text: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, !name.contains(" ") else { return nil }
        self.init(hostName: name)
        if parts.count == 2 {
            var address = parts[1]
            if let colon = address.lastIndex(of: ":"), !address.hasSuffix("]"), address.filter({ $0 == ":" }).count == 1 {
                guard let port = UInt16(address[address.index(after: colon)...]) else { return nil }
                ldapPort = port
                address = String(address[..<colon])
            }
            address = String(address.trimmed { $0 == "[" || $0 == "]" })
            guard !address.isEmpty else { return nil }
            self.address = address
        }
    }

    package var description: String {
        address.map { "\(hostName) (\($0))" } ?? hostName
    }
}

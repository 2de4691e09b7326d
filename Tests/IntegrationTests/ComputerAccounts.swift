import Foundation
import XCTest

/// The test domain's computer accounts for the domain-joined way: one in the group allowed to read
/// the gMSAs' passwords, one outside it. scripts/testdomain makes them when it provisions; a domain
/// provisioned before that gets them here (idempotent samba-tool calls on its sam.ldb).
extension TestDomain {
    static let joinedComputer = "CCGDJOINED01"
    static let outsiderComputer = "CCGDOUTSIDE01"

    var readersGroup: String { self["READERS_GROUP"].isEmpty ? "WebApp01Accounts" : self["READERS_GROUP"] }

    /// The principal of computer `name`.
    func computerPrincipal(_ name: String) -> String { "\(name)$@\(realm)" }

    /// Makes computer `name` exist and be enabled with a known key, puts it in or out of the
    /// readers group, and exports its keys to `keytab` (as a domain join leaves /etc/krb5.keytab).
    func prepareComputer(_ name: String, inReadersGroup: Bool, keytab: String) throws {
        let conf = ["-s", smbConf]
        if (try? run(["samba-tool", "computer", "show", name] + conf)) == nil {
            try run(["samba-tool", "computer", "create", name] + conf)
            try run(["samba-tool", "user", "setpassword", "\(name)$", "--newpassword=Cc-\(UUID().uuidString)"] + conf)
            try run(["samba-tool", "user", "enable", "\(name)$"] + conf)
        }
        try setReader(name, inReadersGroup)
        unlink(keytab)
        try run(["samba-tool", "domain", "exportkeytab", keytab, "--principal=\(name)$", "-H", self["DIR"] + "/private/sam.ldb"] + conf)
    }

    /// Adds computer `name` to the readers group, or takes it out (a no-op when already so).
    func setReader(_ name: String, _ member: Bool) throws {
        let conf = ["-s", smbConf]
        let members = try run(["samba-tool", "group", "listmembers", readersGroup] + conf).split(separator: "\n").map(String.init)
        guard members.contains("\(name)$") != member else { return }
        try run(["samba-tool", "group", member ? "addmembers" : "removemembers", readersGroup, "\(name)$"] + conf)
    }

    /// A CredSpec of `account` without HostAccountConfig: read with the host's computer account.
    func domainJoinedCredSpec(_ account: String = "WebApp01") throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: credSpecDirectory + "/\(account).json"))
        var spec = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var directory = try XCTUnwrap(spec["ActiveDirectoryConfig"] as? [String: Any])
        directory["HostAccountConfig"] = nil
        spec["ActiveDirectoryConfig"] = directory
        return String(decoding: try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}

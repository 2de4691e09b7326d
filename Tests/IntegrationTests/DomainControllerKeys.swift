import Foundation
import XCTest

/// The DC's own keys for an account, exported by `samba-tool domain exportkeytab` from its
/// database: the oracle our derived keys must equal byte for byte.
struct DomainControllerKeys {
    struct Key: Hashable {
        let kvno: UInt32
        let enctype: String
        let hex: String

        var bytes: [UInt8] {
            stride(from: 0, to: hex.count, by: 2).map { offset -> UInt8 in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
            }
        }
    }

    let keys: Set<Key>

    /// `environment` may move samba-tool's clock: it computes a gMSA's keys at its own time.
    init(account: String, domain: TestDomain, environment: [String: String] = [:]) throws {
        let path = NSTemporaryDirectory() + "/ccgd-export-\(UUID().uuidString).keytab"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try domain.run(
            ["samba-tool", "domain", "exportkeytab", path, "--principal=\(account)", "-s", domain.smbConf],
            environment: environment)
        // klist -k -e -K:  "   2 WebApp01$@CONTOSO.TEST (aes256-cts-hmac-sha1-96)  (0x1a2b…)"
        let listing = try domain.run(["klist", "-k", "-e", "-K", path])
        var keys = Set<Key>()
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, let kvno = UInt32(fields[0]), fields[2].hasPrefix("("), fields[3].hasPrefix("(0x") else { continue }
            // klist marks weak types "DEPRECATED:arcfour-hmac"; the type is the same.
            let enctype = String(fields[2].dropFirst().dropLast()).replacingOccurrences(of: "DEPRECATED:", with: "")
            keys.insert(
                Key(
                    kvno: kvno, enctype: enctype,
                    hex: String(fields[3].dropFirst(3).dropLast()).lowercased()))
        }
        self.keys = keys
    }
}

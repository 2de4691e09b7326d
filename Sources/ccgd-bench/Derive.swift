import ArgumentParser
import DurableFiles
import Foundation
import Kerberos
import KerberosKeys
import SecretMemory

/// Step 3 of the command chain `compare` times: what credentials-fetcher's .NET helper does, done
/// with the project's modules. Reads the LDIF `ldapsearch -LLL` printed for one gMSA, decodes the
/// managed password blob (KerberosKeys), derives the AES256, AES128 and RC4 keys with the salt AD
/// gives a computer-like account, and writes them as a keytab (Kerberos) for `kinit -k`.
struct Derive: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode an ldapsearch LDIF's msDS-ManagedPassword and write the gMSA's keys as a keytab.")

    @Option(help: "The LDIF ldapsearch -LLL printed (msDS-ManagedPassword and msDS-KeyVersionNumber).")
    var ldif: String

    @Option(help: "The gMSA's sAMAccountName, with or without the trailing $.")
    var account: String

    @Option(help: "The Kerberos realm (upper case).")
    var realm: String

    @Option(name: .customLong("dns-domain"), help: "The domain's DNS name.")
    var dnsDomain: String

    @Option(help: "Where to write the keytab (0600).")
    var keytab: String

    func run() throws {
        let attributes = try LDIFAttributes(contentsOf: ldif)
        guard let encoded = attributes.values["msDS-ManagedPassword"] else {
            throw BenchError("\(ldif) has no msDS-ManagedPassword; the reader may not retrieve the gMSA's password, or the bind was not sealed.")
        }
        guard let kvnoText = attributes.values["msDS-KeyVersionNumber"], let kvno = UInt32(kvnoText) else {
            throw BenchError("\(ldif) has no numeric msDS-KeyVersionNumber; ask ldapsearch for it.")
        }
        guard let decoded = Data(base64Encoded: encoded) else {
            throw BenchError("\(ldif)'s msDS-ManagedPassword is not base64; pass the LDIF ldapsearch -LLL printed.")
        }
        let blob = try ManagedPasswordBlob(decoding: SecretBytes(count: decoded.count) { decoded.copyBytes(to: $0) })
        let name = account.hasSuffix("$") ? String(account.dropLast()) : account
        let salt = Salt.computerAccount(realm: realm, accountName: name, dnsDomain: dnsDomain)
        let keys = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: EncryptionType.allCases)
        let principal = "\(name)$@\(realm)"
        let entries = keys.map { KeytabEntry(principal: principal, keyVersionNumber: kvno, key: $0) }
        try Keytab.write(entries, to: keytab, ownership: .privateToCaller, context: KerberosContext())
    }
}

/// The single-valued attributes of the first entry of an LDIF: folded lines joined, `name:: base64`
/// kept encoded (the caller decodes what it needs).
struct LDIFAttributes {
    let values: [String: String]

    init(contentsOf path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(" "), !lines.isEmpty {
                lines[lines.count - 1] += line.dropFirst()
            } else if line.isEmpty {
                if !lines.isEmpty { break }
            } else {
                lines.append(String(line))
            }
        }
        var values: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            var rest = line[line.index(after: colon)...]
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            values[name] = rest.trimmingCharacters(in: .whitespaces)
        }
        self.values = values
    }
}

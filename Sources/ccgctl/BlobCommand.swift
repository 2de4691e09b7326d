import ArgumentParser
import Foundation
import KerberosKeys
import OperatorTools

/// `ccgctl blob decode`: look inside a managed password blob.
struct BlobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob",
        abstract: "Troubleshoot msDS-ManagedPassword blobs.",
        subcommands: [Decode.self])

    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a blob's fields and the fingerprints of its keys (never the password).",
            discussion: "Reads the raw blob, its base64, or ldapsearch's 'msDS-ManagedPassword:: …' output.")

        @Argument(help: "The file holding the blob, or - for standard input.")
        var path = "-"

        @Option(help: "The realm, for AES key fingerprints (e.g. CONTOSO.COM).")
        var realm: String?

        @Option(help: "The gMSA's sAMAccountName, for AES key fingerprints (e.g. WebApp01$).")
        var account: String?

        @Option(name: .customLong("dns-domain"), help: "The domain's DNS name, for AES key fingerprints (e.g. contoso.com).")
        var dnsDomain: String?

        func run() async throws {
            let input: Data
            if path == "-" {
                input = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CommandFailure(.failure, "cannot read \(path); check the path.")
                }
                input = data
            }
            guard let bytes = BlobReport.blobBytes(from: Array(input)) else {
                throw CommandFailure(
                    .failure, "\(path == "-" ? "standard input" : path) holds neither a raw blob nor base64 nor an msDS-ManagedPassword:: line.")
            }
            var salt: Salt?
            if let realm, let account, let dnsDomain {
                salt = Salt.computerAccount(realm: realm, accountName: account, dnsDomain: dnsDomain)
            } else if realm != nil || account != nil || dnsDomain != nil {
                throw ValidationError("give all of --realm, --account and --dns-domain to compute the salt, or none.")
            }
            print(try BlobReport(blobBytes: bytes, salt: salt).text())
        }
    }
}

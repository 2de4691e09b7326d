import DaemonHarness
import Directory
import Foundation
import Kerberos
import KerberosKeys
import TestSupport
import XCTest
import DomainModel

/// The Samba DC started by `scripts/testdomain up`, described by its `testdomain.env`.
struct TestDomain: Sendable {
    let settings: [String: String]

    /// The running test domain, or a skip that says how to start it. With
    /// CCGD_REQUIRE_TESTDOMAIN=1 (set by scripts/test and CI) a missing domain fails instead.
    static func require() throws -> TestDomain {
        if let domain = loaded { return domain }
        let message = "the test domain is not running: start it with scripts/testdomain up (integration test skipped)"
        throw missingRequirement(message)
    }

    private static let loaded: TestDomain? = {
        let directory = TestDomainFile.directory(
            fallback: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".testdomain").path)
        guard let file = TestDomainFile(directory: directory) else { return nil }
        let domain = TestDomain(settings: file.settings)
        // Up means the KDC answers: a stale env file from a stopped DC is not a running domain.
        guard domain.kdcAnswers() else { return nil }
        // GSS-API reads the process's Kerberos configuration, like ccgd's own (see KerberosConfiguration).
        setenv("KRB5_CONFIG", domain.krb5Config, 1)
        return domain
    }()

    subscript(_ key: String) -> String { settings["CCGD_TD_" + key] ?? "" }

    var realm: String { self["REALM"] }
    var dnsDomain: String { self["DNSDOMAIN"] }
    var domainDN: String { self["DOMAIN_DN"] }
    var krb5Config: String { self["KRB5_CONFIG"] }
    var smbConf: String { self["SMB_CONF"] }
    var caFile: String { self["CA"] }
    var controller: DomainController { DomainController(hostName: self["DC"], address: self["DC_ADDRESS"]) }
    var gmsas: [String] { self["GMSAS"].split(separator: ",").map(String.init) }
    var credSpecDirectory: String { self["CREDSPECS"] }

    /// The portable users' credentials files (the file plug-in's JSON format).
    var allowedCredentialsFile: String { self["ALLOWED_CREDENTIALS"] }
    var outsiderCredentialsFile: String { self["OUTSIDER_CREDENTIALS"] }
    /// The file plug-in's credentials directory (root's, 0700) that holds them: `credentials/` for a
    /// domain provisioned by today's scripts/testdomain, the test domain's own directory for older ones.
    var credentialsDirectory: String {
        let named = self["CREDENTIALS_DIRECTORY"]
        return named.isEmpty ? (allowedCredentialsFile as NSString).deletingLastPathComponent : named
    }

    func credentials(_ file: String) throws -> (user: String, password: SecretBytes) {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: String]
        return (object?["username"] ?? "", SecretBytes(Array((object?["password"] ?? "").utf8)))
    }

    private func kdcAnswers() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(88).bigEndian
        // A private domain's DC listens on another loopback address (CCGD_TESTDOMAIN_ADDRESS).
        address.sin_addr.s_addr = inet_addr(self["DC_ADDRESS"].isEmpty ? "127.0.0.1" : self["DC_ADDRESS"])
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Runs a command and returns its standard output; fails the test with its stderr otherwise.
    @discardableResult
    func run(_ arguments: [String], environment extra: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KRB5_CONFIG"] = krb5Config
        environment.merge(extra) { $1 }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: out, as: UTF8.self)
        if process.terminationStatus != 0 {
            throw CommandFailed(
                command: arguments.joined(separator: " "), status: process.terminationStatus,
                output: text + String(decoding: err, as: UTF8.self))
        }
        return text
    }

    struct CommandFailed: Error, CustomStringConvertible {
        let command: String, status: Int32, output: String
        var description: String { "\(command) exited \(status): \(output)" }
    }
}

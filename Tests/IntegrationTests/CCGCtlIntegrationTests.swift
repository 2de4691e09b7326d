import Directory
import Foundation
import Kerberos
import KerberosKeys
import TestSupport
import XCTest

/// ccgctl as an operator runs it: what it prints, and what it says when the input is wrong.
final class CCGCtlIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("ccgctl", mode: 0o700)
    }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testPluginListShowsBuiltInsAndConfiguredPlugins() throws {
        let config = try file("ccgd.conf", "[plugins]\nallow-inline = yes\ntimeout = 3s\n")
        let outcome = try Command.run("ccgctl", ["plugin", "list", "--config", config])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual(
            outcome.output,
            """
            {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}  file  built-in  timeout 3s
            {6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60}  inline  built-in  timeout 3s

            """)
    }

    func testPluginTestPrintsUserButNeverThePassword() throws {
        let config = try file("ccgd.conf", "[plugins]\nallow-inline = yes\n")
        let outcome = try Command.run(
            "ccgctl",
            [
                "plugin", "test", "--config", config, "--guid", "6d1f0c29-8a43-4b5e-9e1c-2b7a4f3d8c60",
                "--input", "contoso.test:StandardUser01:S3cret-Value",
            ])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.hasPrefix("domain    contoso.test\nuser      StandardUser01\npassword  12 bytes (not shown)\ntook      "), outcome.output)
        XCTAssertFalse(outcome.all.contains("S3cret"))
    }

    func testPluginTestWithUnknownGUIDListsTheRegisteredOnes() throws {
        let outcome = try Command.run("ccgctl", ["plugin", "test", "--config", try file("empty.conf", ""), "--guid", "{0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0}"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "no plug-in is registered for PluginGUID {0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0} (registered: {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31})"),
            outcome.errors)
    }

    func testCredSpecValidateChecksThePluginGUIDAgainstTheConfiguration() throws {
        let domain = try TestDomain.require()
        let config = try file("ccgd.conf", "[plugins]\nallow-inline = no\n")
        let webApp = try String(contentsOfFile: domain.credSpecDirectory + "/WebApp01.json", encoding: .utf8)
        let unregistered = try file(
            "Unregistered.json",
            webApp.replacingOccurrences(
                of: "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", with: "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0"))
        let outcome = try Command.run("ccgctl", ["credspec", "validate", "--config", config, unregistered, domain.credSpecDirectory + "/WebApp01.json"])
        XCTAssertEqual(outcome.status, 1, outcome.all)
        XCTAssertTrue(
            outcome.errors.contains(
                "\(unregistered): ccgd cannot serve it with \(config): no plug-in is registered for PluginGUID {0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0}"),
            outcome.errors)
        XCTAssertTrue(outcome.output.contains("WebApp01.json: valid"), outcome.output)
        XCTAssertFalse(outcome.output.contains("Unregistered.json: valid"), outcome.output)
    }

    func testBrokenConfigurationIsReportedWithLine() throws {
        let outcome = try Command.run("ccgctl", ["plugin", "list", "--config", try file("bad.conf", "[plugins]\ntimeot = 3s\n")])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "bad.conf:2: timeot: unknown key in [plugins]; the keys there are directory, credentials-directory, timeout, allow-inline."), outcome.errors)
    }

    func testFetchNamesTheBadFieldOfACredSpec() throws {
        let spec = try file(
            "bad.json",
            """
            {"CmsPlugins": ["ActiveDirectory"],
             "DomainJoinConfig": {"Sid": "S-1-5-21-1-2-3", "MachineAccountName": "WebApp01", "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                                  "DnsTreeName": "contoso.test", "DnsName": "contoso.test", "NetBiosName": "CONTOSO"},
             "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [{"Name": "WebApp01", "Scope": "contoso.test"}],
               "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "{GDMA0342-266A-4D1P-831J-20990E82944F}", "PluginInput": "x"}}}
            """)
        let outcome = try Command.run("ccgctl", ["fetch", "--credspec", spec, "--dc", "dc1.contoso.test=127.0.0.1"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("ActiveDirectoryConfig.HostAccountConfig.PluginGUID"), outcome.errors)
        XCTAssertTrue(outcome.errors.contains("is not a GUID"), outcome.errors)
    }

    func testFetchRejectsAMalformedDomainController() throws {
        let domain = try TestDomain.require()
        let outcome = try Command.run("ccgctl", ["fetch", "--credspec", "\(domain.credSpecDirectory)/WebApp01.json", "--dc", "dc1="])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("--dc dc1= is not NAME or NAME=ADDRESS[:PORT]; for example --dc dc1.contoso.com=192.0.2.10."), outcome.errors)
    }

    func testFetchPrintsWhatItDidAndNoSecret() throws {
        let domain = try TestDomain.require()
        let keytab = directory + "/krb5.keytab", ccache = directory + "/krb5cc"
        let config = try file("ccgd.conf", "[plugins]\ncredentials-directory = \(domain.credentialsDirectory)\n")
        let outcome = try Command.run(
            "ccgctl",
            [
                "fetch", "--credspec", "\(domain.credSpecDirectory)/WebApp01.json", "--dc",
                "\(domain.controller.hostName)=127.0.0.1", "--keytab", keytab, "--ccache", ccache, "--config", config,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        for expected in [
            "domain        CONTOSO.TEST (contoso.test)", "sealed GSSAPI bind as StandardUser01@CONTOSO.TEST",
            "account       WebApp01$  kvno", "aes256-cts-hmac-sha1-96", "host/webapp01.contoso.test@CONTOSO.TEST",
            "salt        CONTOSO.TESThostwebapp01.contoso.test", "keytab        \(keytab) (9 entries, mode 0600)",
            "ticket        \(ccache): TGT for WebApp01$@CONTOSO.TEST", "next refresh  ",
        ] {
            XCTAssertTrue(outcome.output.contains(expected), "missing \(expected) in\n\(outcome.output)")
        }
        let (_, password) = try domain.credentials(domain.allowedCredentialsFile)
        let text = password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        XCTAssertFalse(outcome.all.contains(text), "the portable user's password was printed")
    }

    func testFetchWithOutsiderCredentialsSaysWhoMayNotReadThePassword() throws {
        let domain = try TestDomain.require()
        let outcome = try Command.run(
            "ccgctl",
            [
                "fetch", "--credspec", "\(domain.credSpecDirectory)/WebApp01.json", "--dc",
                "\(domain.controller.hostName)=127.0.0.1", "--credentials", domain.outsiderCredentialsFile,
                "--keytab", directory + "/k", "--ccache", "",
            ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains(
                "OutsiderUser01@CONTOSO.TEST is not allowed to retrieve the managed password of WebApp01$ (check PrincipalsAllowedToRetrieveManagedPassword)."),
            outcome.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/k"))
    }

    func testBlobDecodeShowsTheDomainControllersKeyFingerprints() throws {
        let domain = try TestDomain.require()
        // The blob as ldapsearch prints it, read with our own sealed bind.
        let context = try KerberosContext()
        let (user, password) = try domain.credentials(domain.allowedCredentialsFile)
        let cache = try CredentialsCache.newInMemory(context: context)
        _ = try context.obtainTicket(for: try Principal(parsing: "\(user)@\(domain.realm)", context: context), password: password, into: cache)
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        try connection.bindGSSAPI(credentials: cache)
        let record = try connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)
        let base64 = record.managedPasswordBlob.withUnsafeBytes { Data($0).base64EncodedString() }
        let ldif = try file("blob.ldif", "dn: \(record.distinguishedName)\nmsDS-ManagedPassword:: \(base64.prefix(60))\n \(base64.dropFirst(60))\n")

        let outcome = try Command.run("ccgctl", ["blob", "decode", ldif, "--realm", domain.realm, "--account", "WebApp01$", "--dns-domain", domain.dnsDomain])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("version                    1\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("current password           128 UTF-16 code units"), outcome.output)
        // The fingerprints must be those of the keys the DC itself holds.
        let oracle = try DomainControllerKeys(account: "WebApp01$", domain: domain)
        for key in oracle.keys where key.kvno == record.keyVersionNumber {
            let bytes = stride(from: 0, to: key.hex.count, by: 2).map { offset -> UInt8 in
                let start = key.hex.index(key.hex.startIndex, offsetBy: offset)
                return UInt8(key.hex[start..<key.hex.index(start, offsetBy: 2)], radix: 16)!
            }
            let type = try XCTUnwrap(EncryptionType(name: key.enctype))
            let fingerprint = KerberosKey(encryptionType: type, bytes: SecretBytes(bytes)).fingerprint
            XCTAssertTrue(
                outcome.output.contains("\(key.enctype.padding(toLength: 25, withPad: " ", startingAt: 0))sha256:\(fingerprint)"),
                "\(key.enctype) sha256:\(fingerprint) not in\n\(outcome.output)")
        }
    }
}

/// ccgctl against a running daemon: the runtime's cycle from the command line.
final class CCGCtlLeaseIntegrationTests: XCTestCase {
    func testLeaseCycleFromTheCommandLine() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        let created = try Command.run(
            "ccgctl",
            [
                "lease", "create", "--socket", daemon.socket, "--credspec", "WebApp01",
                "--uid", "1000", "--gid", "1000", "--container-id", "cafe",
            ])
        XCTAssertEqual(created.status, 0, created.all)
        XCTAssertTrue(created.output.contains("identity    WebApp01$@CONTOSO.TEST  kvno"), created.output)
        let id = try XCTUnwrap(created.output.split(separator: "\n").first { $0.hasPrefix("id ") }?.split(separator: " ").last.map(String.init))

        let listed = try Command.run("ccgctl", ["lease", "list", "--socket", daemon.socket])
        XCTAssertTrue(listed.output.contains("\(id)  WebApp01$@CONTOSO.TEST"), listed.output)
        XCTAssertTrue(listed.output.contains("1000:1000"), listed.output)
        let shown = try Command.run("ccgctl", ["lease", "show", "--socket", daemon.socket, id, "--json"])
        XCTAssertTrue(shown.output.contains("\"id\":\"\(id)\""), shown.output)
        let accounts = try Command.run("ccgctl", ["accounts", "--socket", daemon.socket])
        XCTAssertTrue(accounts.output.contains("WebApp01  WebApp01$  CONTOSO.TEST  1     fresh  1       "), accounts.output)
        let health = try Command.run("ccgctl", ["health", "--socket", daemon.socket])
        XCTAssertTrue(health.output.hasPrefix("status    ok"), health.output)
        XCTAssertEqual(health.status, 0)

        let deleted = try Command.run("ccgctl", ["lease", "delete", "--socket", daemon.socket, id])
        XCTAssertEqual(deleted.output, "deleted \(id)\n")
        let missing = try Command.run("ccgctl", ["lease", "show", "--socket", daemon.socket, id])
        XCTAssertEqual(missing.status, 3, missing.all)
        XCTAssertEqual(missing.errors, "ccgctl: no lease \(id) (ccgd shows only leases you created, unless you are root); ccgctl lease list shows them.\n")
    }

    func testExitStatusesTellAScriptWhatFailed() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        let socket = ["--socket", daemon.socket]
        let usage = try Command.run("ccgctl", ["lease", "show"] + socket)
        XCTAssertEqual(usage.status, 64, usage.all)
        let noLease = try Command.run("ccgctl", ["lease", "delete", "l_AAAAAAAAAAAAAAAAAAAAAA"] + socket)
        XCTAssertEqual(noLease.status, 3, noLease.all)
        let noCredSpec = try Command.run("ccgctl", ["lease", "create", "--credspec", "Nowhere01"] + socket)
        XCTAssertEqual(noCredSpec.status, 3, noCredSpec.all)
        XCTAssertTrue(
            noCredSpec.errors.hasPrefix("ccgctl: no CredSpec Nowhere01 in \(daemon.credSpecs); create it there (ccgctl credspec new)"), noCredSpec.errors)
        XCTAssertTrue(noCredSpec.errors.hasSuffix(" (ccgd: credspec.not_found)\n"), noCredSpec.errors)
        // ccgd refuses: a failure of class 1, its field said as the option that set it.
        let inline = try Command.run("ccgctl", ["lease", "create", "--credspec-file", daemon.credSpecs + "/WebApp01.json"] + socket)
        XCTAssertEqual(inline.status, 1, inline.all)
        XCTAssertTrue(inline.errors.hasSuffix("(ccgd: credspec.inline_disabled, option --credspec-file)\n"), inline.errors)
        XCTAssertFalse(inline.all.contains("Usage:"), inline.all)
        let unreachable = try Command.run("ccgctl", ["accounts", "--socket", daemon.root + "/none.sock"])
        XCTAssertEqual(unreachable.status, 69, unreachable.all)
        let noConfiguration = try Command.run("ccgctl", ["health", "--config", daemon.root + "/none.conf"])
        XCTAssertEqual(noConfiguration.status, 78, noConfiguration.all)
        XCTAssertEqual(
            noConfiguration.errors,
            "ccgctl: \(daemon.root)/none.conf: no such file; create it (docs/ccgd.conf.example has every key and its default) or name another with --config.\n")
        let help = try Command.run("ccgctl", ["--help"])
        for line in ["  3   not found: no such lease", "  69  ccgd cannot be reached", "  2   health: ccgd answers but is degraded", "$CCGD_SOCKET"] {
            XCTAssertTrue(help.output.contains(line), help.output)
        }
    }

    func testEveryDaemonCommandFindsTheSocketInTheDocumentedOrder() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        let nowhere = daemon.root + "/nowhere.sock"
        let other = daemon.root + "/other.conf"
        try "[daemon]\nsocket = \(nowhere)\n".write(toFile: other, atomically: true, encoding: .utf8)
        // --socket, then --config, then CCGD_SOCKET (then /etc/ccgd/ccgd.conf, then /run/ccgd/ccgd.sock).
        let cases: [([String], [String: String], String?)] = [
            (["--config", daemon.configuration], [:], nil),
            ([], ["CCGD_SOCKET": daemon.socket], nil),
            (["--socket", daemon.socket, "--config", other], [:], nil),
            (["--socket", nowhere, "--config", daemon.configuration], [:], nowhere),
            (["--config", daemon.configuration], ["CCGD_SOCKET": nowhere], nil),
            (["--config", other], ["CCGD_SOCKET": daemon.socket], nowhere),
        ]
        for command in [["health"], ["accounts"], ["lease", "list"]] {
            for (arguments, environment, failing) in cases {
                let outcome = try Command.run("ccgctl", command + arguments, environment: environment)
                if let failing {
                    XCTAssertEqual(outcome.status, 69, "\(command + arguments) \(environment): \(outcome.all)")
                    XCTAssertTrue(outcome.errors.contains("cannot reach ccgd at \(failing): no such socket"), outcome.errors)
                } else {
                    XCTAssertEqual(outcome.status, 0, "\(command + arguments) \(environment): \(outcome.all)")
                }
            }
        }
    }

    func testAccountsAreGroupedByCredSpecWithTheirReaderAndLeaseIdsAreWhole() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        defer { daemon.remove() }
        try daemon.start()
        let container = "ecs:0123456789abcdef0123456789abcdef"
        let first = try await daemon.createLease(#"{"credentialSpecName": "WebApp02", "containerId": "\#(container)"}"#)
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01.json"}"#)
        let id = try XCTUnwrap(first["id"] as? String)

        let listed = try Command.run("ccgctl", ["lease", "list", "--socket", daemon.socket])
        XCTAssertEqual(listed.status, 0, listed.all)
        XCTAssertTrue(listed.output.contains(id + "  "), listed.output)
        XCTAssertTrue(listed.output.contains(container + "  "), "the container id is cut:\n\(listed.output)")

        let accounts = try Command.run("ccgctl", ["accounts", "--socket", daemon.socket])
        XCTAssertEqual(accounts.status, 0, accounts.all)
        let rows = accounts.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(rows.first?.hasPrefix("CREDSPEC  ACCOUNT    REALM         KVNO  STATE  LEASES  REFRESH AT") ?? false, accounts.output)
        let reader = "plug-in file {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}"
        XCTAssertTrue(rows.contains { $0.hasPrefix("WebApp01  WebApp01$  CONTOSO.TEST") && $0.contains(reader) }, accounts.output)
        XCTAssertTrue(rows.contains { $0.hasPrefix("WebApp02  WebApp02$  CONTOSO.TEST") && $0.contains(reader) }, accounts.output)

        let json = try Command.run("ccgctl", ["accounts", "--socket", daemon.socket, "--json"])
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let entries = try XCTUnwrap(document["accounts"] as? [[String: Any]])
        XCTAssertEqual(Set(entries.compactMap { ($0["credSpecs"] as? [String])?.first }), ["WebApp01", "WebApp02"])
        XCTAssertEqual(Set(entries.compactMap { ($0["readBy"] as? [String: Any])?["pluginName"] as? String }), ["file"])
        // The PluginInput (here the credentials file's path) is never shown.
        XCTAssertFalse(json.output.contains((domain.allowedCredentialsFile as NSString).lastPathComponent), json.output)
    }

    func testNoDaemonSaysWhereItLookedAndWhatToDo() throws {
        let outcome = try Command.run("ccgctl", ["health", "--socket", "/nonexistent/ccgd.sock"])
        XCTAssertEqual(outcome.status, 69, outcome.all)
        XCTAssertEqual(
            outcome.errors,
            "ccgctl: cannot reach ccgd at /nonexistent/ccgd.sock: no such socket; start ccgd, or pass --socket or --config if it listens elsewhere.\n")
    }
}

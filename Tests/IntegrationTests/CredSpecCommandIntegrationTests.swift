import Foundation
import XCTest

/// `ccgctl credspec new|list|validate` as an operator runs them, `new` against the test domain's DC.
final class CredSpecCommandIntegrationTests: XCTestCase {
    private var directory = ""
    private var daemon: DaemonProcess?

    private static let filePluginGUID = "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}"
    private static let inlinePluginGUID = "{6D1F0C29-8A43-4B5E-9E1C-2B7A4F3D8C60}"

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "/ccgd-credspec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    override func tearDownWithError() throws {
        daemon?.remove()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: helpers

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `ccgctl credspec new` against the test domain's DC, as the allowed portable user, with an empty configuration.
    private func new(_ arguments: [String], domain: TestDomain) throws -> Command.Outcome {
        try Command.run(
            "ccgctl",
            ["credspec", "new"] + arguments + [
                "--config", try file("empty.conf", ""), "--domain", domain.dnsDomain,
                "--dc", "\(domain.controller.hostName)=\(domain.controller.address ?? "127.0.0.1")",
                "--credentials", domain.allowedCredentialsFile,
            ])
    }

    private func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    private func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// A CredSpec of the test domain's shape, for the commands that need no DC.
    private func credSpecText(accounts: [String], pluginGUID: String = filePluginGUID) -> String {
        let entries = accounts.flatMap { name in
            [#"{"Name": "\#(name)", "Scope": "contoso.test"}"#, #"{"Name": "\#(name)", "Scope": "CONTOSO"}"#]
        }
        return """
            {"CmsPlugins": ["ActiveDirectory"],
             "DomainJoinConfig": {"Sid": "S-1-5-21-1-2-3", "MachineAccountName": "\(accounts[0])", "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                                  "DnsTreeName": "contoso.test", "DnsName": "contoso.test", "NetBiosName": "CONTOSO"},
             "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [\(entries.joined(separator: ", "))],
               "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "\(pluginGUID)", "PluginInput": "/etc/ccgd/portable-user.json"}}}
            """
    }

    // MARK: credspec new

    func testNewWritesTheDomainsFactsAndEachAccountInBothScopes() throws {
        let domain = try TestDomain.require()
        let outcome = try new(["WebApp01", "--additional-account", "webapp02$", "--directory", directory], domain: domain)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        let path = directory + "/WebApp01.json"
        XCTAssertEqual(
            outcome.output,
            """
            wrote       \(path) (mode 0644)
            accounts    WebApp01 (primary), WebApp02
            domain      contoso.test (NetBIOS CONTOSO, forest contoso.test)
            sid         \(domain["DOMAIN_SID"])
            guid        \(domain["DOMAIN_GUID"])
            plug-in     \(Self.filePluginGUID) (file)
            input       \(domain.allowedCredentialsFile)
            read from   \(domain.controller.hostName) (127.0.0.1) as StandardUser01@\(domain.realm) (sealed GSSAPI bind)

            """)

        let spec = try json(path)
        XCTAssertEqual(spec["CmsPlugins"] as? [String], ["ActiveDirectory"])
        let join = try XCTUnwrap(spec["DomainJoinConfig"] as? [String: String])
        XCTAssertEqual(
            join,
            [
                "Sid": domain["DOMAIN_SID"], "MachineAccountName": "WebApp01", "Guid": domain["DOMAIN_GUID"],
                "DnsTreeName": domain.dnsDomain, "DnsName": domain.dnsDomain, "NetBiosName": domain["NETBIOS"],
            ])
        XCTAssertEqual([domain.dnsDomain, domain["NETBIOS"]], ["contoso.test", "CONTOSO"])
        let directoryConfig = try XCTUnwrap(spec["ActiveDirectoryConfig"] as? [String: Any])
        // The directory's spelling, without the $, once per scope like New-CredentialSpec.
        XCTAssertEqual(
            directoryConfig["GroupManagedServiceAccounts"] as? [[String: String]],
            [
                ["Name": "WebApp01", "Scope": "contoso.test"], ["Name": "WebApp01", "Scope": "CONTOSO"],
                ["Name": "WebApp02", "Scope": "contoso.test"], ["Name": "WebApp02", "Scope": "CONTOSO"],
            ])
        XCTAssertEqual(
            directoryConfig["HostAccountConfig"] as? [String: String],
            [
                "PortableCcgVersion": "1", "PluginGUID": Self.filePluginGUID, "PluginInput": domain.allowedCredentialsFile,
            ])
        XCTAssertEqual(try mode(path), 0o644)
        // Only the file itself: no temporary or staging file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["WebApp01.json", "empty.conf"])
    }

    func testNewCredSpecFedBackIntoALeaseGivesAWorkingKeytab() throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain)
        self.daemon = daemon
        // The daemon's own configuration gives the domain, its DC and the CredSpec directory.
        let made = try Command.run(
            "ccgctl",
            [
                "credspec", "new", "WebApp01", "--additional-account", "WebApp02", "--name", "WebApps",
                "--config", daemon.configuration, "--credentials", domain.allowedCredentialsFile,
            ])
        XCTAssertEqual(made.status, 0, made.all)
        XCTAssertTrue(made.output.hasPrefix("wrote       \(daemon.credSpecs)/WebApps.json (mode 0644)\n"), made.output)

        try daemon.start()
        let created = try Command.run("ccgctl", ["lease", "create", "--socket", daemon.socket, "--credspec", "WebApps"])
        XCTAssertEqual(created.status, 0, created.all + daemon.logText)
        XCTAssertTrue(created.output.contains("identity    WebApp01$@\(domain.realm)  kvno"), created.output)
        let leaseDirectory = try XCTUnwrap(
            created.output.split(separator: "\n").first { $0.hasPrefix("directory ") }?
                .split(separator: " ").last.map(String.init))
        let cache = ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"]
        for account in ["WebApp01$", "WebApp02$"] {
            try domain.run(["kinit", "-k", "-t", leaseDirectory + "/krb5.keytab", "\(account)@\(domain.realm)"], environment: cache)
        }
        let ticket = try domain.run(
            ["kvno", "host/webapp01.\(domain.dnsDomain)@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(leaseDirectory)/krb5cc"])
        XCTAssertTrue(ticket.contains("kvno = "), ticket)
    }

    func testUnknownAccountIsAnErrorNamingIt() throws {
        let domain = try TestDomain.require()
        let outcome = try new(["WebApp01", "--additional-account", "NoSuchApp99", "--directory", directory], domain: domain)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertEqual(
            outcome.errors,
            "ccgctl: no account NoSuchApp99 in contoso.test; check the name of the gMSA (Get-ADServiceAccount, or samba-tool service-account list).\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/WebApp01.json"))
    }

    func testUserAccountIsNotAGroupManagedServiceAccount() throws {
        let domain = try TestDomain.require()
        let outcome = try new(["StandardUser01", "--directory", directory], domain: domain)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertEqual(outcome.errors, "ccgctl: StandardUser01 is a user, not a group managed service account; give the name of a gMSA.\n")
    }

    func testExistingFileIsRefusedWithoutForce() throws {
        let domain = try TestDomain.require()
        let existing = try file("WebApp01.json", "kept")
        let refusal = "ccgctl: \(existing) already exists; give --force to replace it, or another name.\n"
        let outcome = try new(["WebApp01", "--directory", directory], domain: domain)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertEqual(outcome.errors, refusal)
        // Typed in another case, the name is only known after the directory spells it: the write itself refuses.
        let otherCase = try new(["webapp01", "--directory", directory], domain: domain)
        XCTAssertNotEqual(otherCase.status, 0)
        XCTAssertEqual(otherCase.errors, refusal)
        XCTAssertEqual(try String(contentsOfFile: existing, encoding: .utf8), "kept")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["WebApp01.json", "empty.conf"])
    }

    func testForceReplacesTheFileWithMode0644() throws {
        let domain = try TestDomain.require()
        let existing = try file("WebApp01.json", "old")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: existing)
        let outcome = try new(["WebApp01", "--directory", directory, "--force"], domain: domain)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual((try json(existing)["DomainJoinConfig"] as? [String: String])?["Sid"], domain["DOMAIN_SID"])
        XCTAssertEqual(try mode(existing), 0o644)
    }

    func testInlinePasswordMakesTheFilePrivateAndIsNeverPrinted() throws {
        let domain = try TestDomain.require()
        let input = "contoso.test:StandardUser01:S3cret-Value"
        let path = directory + "/inline.json"
        let outcome = try new(
            ["WebApp01", "--path", path, "--plugin-guid", "6d1f0c29-8a43-4b5e-9e1c-2b7a4f3d8c60", "--plugin-input", input],
            domain: domain)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.hasPrefix("wrote       \(path) (mode 0600)\n"), outcome.output)
        XCTAssertTrue(outcome.output.contains("plug-in     \(Self.inlinePluginGUID) (inline)\ninput       not shown (it holds a password)\n"), outcome.output)
        XCTAssertFalse(outcome.all.contains("S3cret"))
        XCTAssertEqual(try mode(path), 0o600)
        let host = (try json(path)["ActiveDirectoryConfig"] as? [String: Any])?["HostAccountConfig"] as? [String: String]
        XCTAssertEqual(host?["PluginGUID"], Self.inlinePluginGUID)
        XCTAssertEqual(host?["PluginInput"], input)

        let printed = try new(["WebApp01", "--path", "-", "--plugin-guid", Self.inlinePluginGUID, "--plugin-input", input], domain: domain)
        XCTAssertNotEqual(printed.status, 0)
        XCTAssertFalse(printed.all.contains("S3cret"))
        XCTAssertTrue(printed.errors.contains("the inline plug-in's input is a password, which ccgctl does not print"), printed.errors)
    }

    func testPluginInputThatStartsWithABraceIsAJSONObject() throws {
        let domain = try TestDomain.require()
        let outcome = try new(
            [
                "WebApp01", "--path", "-", "--plugin-guid", "{859E1386-BDB4-49E8-85C7-3070B13920E1}",
                "--plugin-input", #"{"credentialArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gmsa", "port": 1}"#,
            ],
            domain: domain)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        let spec = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        let host = (spec["ActiveDirectoryConfig"] as? [String: Any])?["HostAccountConfig"] as? [String: Any]
        let input = try XCTUnwrap(host?["PluginInput"] as? [String: Any])
        XCTAssertEqual(input["credentialArn"] as? String, "arn:aws:secretsmanager:us-east-1:123456789012:secret:gmsa")
        XCTAssertEqual(input["port"] as? Int, 1)

        let broken = try new(["WebApp01", "--path", "-", "--plugin-input", "{oops"], domain: domain)
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.errors.contains("--plugin-input starts with { but is not JSON at character 2"), broken.errors)
    }

    func testUserNotAllowedToRetrieveThePasswordMayStillMakeTheCredSpecOverLDAPS() throws {
        let domain = try TestDomain.require()
        let outcome = try Command.run(
            "ccgctl",
            [
                "credspec", "new", "WebApp01", "--path", "-", "--config", try file("empty.conf", ""), "--domain", domain.dnsDomain,
                "--dc", "\(domain.controller.hostName)=127.0.0.1", "--ldaps", "--ca-file", domain.caFile,
                "--credentials", domain.outsiderCredentialsFile,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(
            outcome.errors.hasSuffix("read from   \(domain.controller.hostName) (127.0.0.1) as OutsiderUser01@\(domain.realm) (LDAPS simple bind)\n"),
            outcome.errors)
        let spec = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any])
        XCTAssertEqual((spec["DomainJoinConfig"] as? [String: String])?["Guid"], domain["DOMAIN_GUID"])
    }

    func testDomainControllersComeFromDNSWhenNoneAreConfigured() throws {
        let domain = try TestDomain.require()
        let config = try file("dns.conf", "[daemon]\ncredspec-directory = \(directory)\ndns-servers = \(domain["DNS"])\n")
        let outcome = try Command.run(
            "ccgctl",
            [
                "credspec", "new", "WebApp02", "--config", config, "--domain", domain.dnsDomain,
                "--credentials", domain.allowedCredentialsFile,
            ])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.hasPrefix("wrote       \(directory)/WebApp02.json (mode 0644)\n"), outcome.output)
        // DNS names every DC of the domain (two when scripts/test joined the second): either may be read.
        var found = ["\(domain.controller.hostName) (127.0.0.1)"]
        if !domain["DC2"].isEmpty { found.append("\(domain["DC2"]) (\(domain["DC2_ADDRESS"]))") }
        XCTAssertTrue(found.contains { outcome.output.contains("\nread from   \($0) as StandardUser01@\(domain.realm)") }, outcome.output)
    }

    func testDomainMustBeGivenWithoutASingleDomainSection() throws {
        let config = try file("nodomain.conf", "[daemon]\ncredspec-directory = \(directory)\n")
        let outcome = try Command.run("ccgctl", ["credspec", "new", "WebApp01", "--config", config, "--credentials", "/nonexistent.json"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(
            outcome.errors.contains("give the domain with --domain (e.g. --domain contoso.com): \(config) has no [domain] section to take it from."),
            outcome.errors)
    }

    // MARK: credspec list

    func testListShowsGoodCredSpecsAndTheErrorOfABrokenOne() throws {
        _ = try file("WebApp01.json", credSpecText(accounts: ["WebApp01"]))
        _ = try file("WebApps.json", credSpecText(accounts: ["WebApp01", "WebApp02", "WebApp03"]))
        _ = try file("broken.json", #"{"CmsPlugins": ["#)
        _ = try file(".hidden.json", "ignored, as ccgd ignores it")
        _ = try file("notes.txt", "not a CredSpec")
        let outcome = try Command.run("ccgctl", ["credspec", "list", "--directory", directory])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual(
            outcome.output,
            """
            NAME      PRIMARY (HOSTNAME)  OTHER ACCOUNTS     DOMAIN        PLUG-IN
            broken    error: The CredSpec is not valid JSON at line 1, column 17: expected a JSON value, found the end of the text; fix the JSON there.
            WebApp01  WebApp01            -                  contoso.test  \(Self.filePluginGUID)
            WebApps   WebApp01            WebApp02,WebApp03  contoso.test  \(Self.filePluginGUID)

            """)
    }

    func testListReadsTheDirectoryOfTheConfiguration() throws {
        _ = try file("WebApp02.json", credSpecText(accounts: ["WebApp02"]))
        let config = try file("ccgd.conf", "[daemon]\ncredspec-directory = \(directory)\n")
        let outcome = try Command.run("ccgctl", ["credspec", "list", "--config", config])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.hasSuffix("\nWebApp02  WebApp02            -               contoso.test  \(Self.filePluginGUID)\n"), outcome.output)

        let missing = try Command.run("ccgctl", ["credspec", "list", "--directory", directory + "/missing"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(
            missing.errors,
            "ccgctl: cannot list the CredSpec directory \(directory)/missing: No such file or directory; check the path ([daemon] credspec-directory) and its permissions.\n"
        )
    }

    // MARK: credspec validate

    func testValidateAcceptsTheTestDomainsCredSpec() throws {
        let domain = try TestDomain.require()
        let path = "\(domain.credSpecDirectory)/WebApp01.json"
        let outcome = try Command.run("ccgctl", ["credspec", "validate", path])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual(outcome.output, "\(path): valid (accounts WebApp01, domain contoso.test, plug-in \(Self.filePluginGUID))\n")
    }

    func testValidateWarnsWhenMachineAccountNameIsNoneOfTheAccounts() throws {
        let text = credSpecText(accounts: ["WebApp01", "WebApp02"])
        let second = try file("second.json", text.replacingOccurrences(of: #""MachineAccountName": "WebApp01""#, with: #""MachineAccountName": "WebApp02""#))
        let elsewhere = try file(
            "elsewhere.json", text.replacingOccurrences(of: #""MachineAccountName": "WebApp01""#, with: #""MachineAccountName": "Elsewhere""#))
        let outcome = try Command.run("ccgctl", ["credspec", "validate", second, elsewhere])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual(
            outcome.output,
            """
            \(second): valid (accounts WebApp02, WebApp01, domain contoso.test, plug-in \(Self.filePluginGUID))
            \(elsewhere): valid (accounts WebApp01, WebApp02, domain contoso.test, plug-in \(Self.filePluginGUID))

            """)
        XCTAssertEqual(
            outcome.errors,
            "\(elsewhere): warning: DomainJoinConfig.MachineAccountName Elsewhere is not one of the GroupManagedServiceAccounts, "
                + "so WebApp01 (the first listed) is the container's identity; set it to the account the container is known by on the network.\n")
    }

    func testValidateNamesTheJSONPathOfTheWindowsDocsSampleGUID() throws {
        let sample = try file("sample.json", credSpecText(accounts: ["WebApp01"], pluginGUID: "{GDMA0342-266A-4D1P-831J-20990E82944F}"))
        let good = try file("good.json", credSpecText(accounts: ["WebApp01", "WebApp02"]))
        let outcome = try Command.run("ccgctl", ["credspec", "validate", good, sample])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.output, "\(good): valid (accounts WebApp01, WebApp02, domain contoso.test, plug-in \(Self.filePluginGUID))\n")
        XCTAssertEqual(
            outcome.errors,
            """
            \(sample): ActiveDirectoryConfig.HostAccountConfig.PluginGUID: "{GDMA0342-266A-4D1P-831J-20990E82944F}" is not a GUID \
            (expected 32 hexadecimal digits like {859E1386-BDB4-49E8-85C7-3070B13920E1}); use the GUID of a registered plug-in.

            """)
    }
}

import Foundation
import OperatorTools
import Synchronization
import TestSupport
import XCTest

/// `ccgctl doctor` against the Samba DC: each link of the chain broken on purpose, and the
/// doctor naming that step, what is wrong and what to do.
final class DoctorIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("doctor", mode: 0o700)
    }

    // MARK: helpers

    /// Writes `text` to a file of the test's directory with `mode`.
    private func file(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// The test domain's WebApp01 CredSpec with some text replaced, as a file.
    private func spec(_ domain: TestDomain, _ name: String, replacing replacements: [(String, String)]) throws -> String {
        var text = try String(contentsOfFile: "\(domain.credSpecDirectory)/WebApp01.json", encoding: .utf8)
        for (old, new) in replacements {
            XCTAssertTrue(text.contains(old), "\(old) is not in the CredSpec")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try file(name, text, mode: 0o644)
    }

    /// The test domain's ccgd.conf with the file plug-in reading `credentialsDirectory` (by default
    /// the test domain's: older ones predate credentials-directory), as a file.
    private func configuration(_ domain: TestDomain, credentialsDirectory: String? = nil) throws -> String {
        var text = try String(contentsOfFile: domain["CCGD_CONF"], encoding: .utf8)
        let setting = "credentials-directory = \(credentialsDirectory ?? domain.credentialsDirectory)"
        if let line = text.range(of: #"(?m)^credentials-directory *=.*$"#, options: .regularExpression) {
            text.replaceSubrange(line, with: setting)
        } else {
            text += "\n[plugins]\n\(setting)\n"
        }
        return try file("ccgd-\(UUID().uuidString.prefix(8)).conf", text, mode: 0o644)
    }

    /// The CredSpec with its PluginInput (the file plug-in's credentials file) replaced.
    private func spec(_ domain: TestDomain, _ name: String, pluginInput: String) throws -> String {
        try spec(domain, name, replacing: [(domain.allowedCredentialsFile, pluginInput)])
    }

    private func doctor(
        _ domain: TestDomain, _ arguments: [String], configuration: String? = nil, prefix: [String] = [], environment: [String: String] = [:]
    ) throws -> Command.Outcome {
        let ccgctl = Command.binaries + "/ccgctl"
        let command = ["doctor"] + arguments + ["--config", try configuration ?? self.configuration(domain)]
        let outcome =
            prefix.isEmpty
            ? try Command.run("ccgctl", command, environment: environment)
            : try Command.run(prefix[0], Array(prefix.dropFirst()) + [ccgctl] + command, environment: environment)
        try assertNoSecret(outcome, domain)
        return outcome
    }

    private func assertNoSecret(_ outcome: Command.Outcome, _ domain: TestDomain, file: StaticString = #filePath, line: UInt = #line) throws {
        for credentials in [domain.allowedCredentialsFile, domain.outsiderCredentialsFile] {
            let (_, password) = try domain.credentials(credentials)
            let text = password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            XCTAssertFalse(outcome.all.contains(text), "a portable user's password was printed", file: file, line: line)
        }
        XCTAssertFalse(outcome.all.contains("wrong-password"), "a password was printed", file: file, line: line)
    }

    /// The doctor stopped at `step` (its ✗ line is the last step line), exited 1, and its
    /// diagnosis says every one of `phrases`.
    private func assertFailed(
        _ outcome: Command.Outcome, at step: String, saying phrases: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(outcome.status, 1, outcome.all, file: file, line: line)
        let stepLines = outcome.output.split(separator: "\n").filter { ["✓", "!", "✗"].contains($0.first.map(String.init) ?? "") }
        XCTAssertTrue(stepLines.last?.hasPrefix("✗ \(step) ") ?? false, "the last step is not ✗ \(step):\n\(outcome.all)", file: file, line: line)
        XCTAssertEqual(stepLines.filter { $0.hasPrefix("✗") }.count, 1, outcome.all, file: file, line: line)
        XCTAssertTrue(outcome.output.contains("\nDiagnosis (\(step)): "), outcome.all, file: file, line: line)
        XCTAssertTrue(outcome.output.contains("\nFix: "), outcome.all, file: file, line: line)
        for phrase in phrases {
            XCTAssertTrue(outcome.output.contains(phrase), "missing \"\(phrase)\" in\n\(outcome.all)", file: file, line: line)
        }
    }

    private static let stepNames = [
        "configuration", "parse", "plug-in", "DC discovery", "KDC reachability", "LDAP reachability", "portable-user login",
        "sealed LDAP bind", "password permission", "blob", "keys", "gMSA TGT", "service ticket",
    ]

    // MARK: the healthy chain

    func testHealthyChainPassesEveryStepInOrder() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01"])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        let lines = outcome.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines.prefix(Self.stepNames.count).map { String($0.dropFirst(2).prefix(19)).trimmingCharacters(in: .whitespaces) }, Self.stepNames, outcome.output)
        XCTAssertTrue(lines.prefix(Self.stepNames.count).allSatisfy { $0.hasPrefix("✓ ") && $0.contains(" ms  ") }, outcome.output)
        for expected in [
            "dc1.contoso.test (127.0.0.1) from [domain \"CONTOSO.TEST\"]",
            "dc1.contoso.test (127.0.0.1) port 88", "dc1.contoso.test (127.0.0.1) port 389",
            "TGT for StandardUser01@CONTOSO.TEST until ", "; clocks agree",
            "GSSAPI to dc1.contoso.test (127.0.0.1) as StandardUser01@CONTOSO.TEST, sealed (SSF 256)",
            "StandardUser01@CONTOSO.TEST may read the password of WebApp01$",
            "WebApp01$ kvno 1: query interval ", "no previous password",
            "salt CONTOSO.TESThostwebapp01.contoso.test, as the KDC says",
            "TGT for WebApp01$@CONTOSO.TEST until ", "SPNs host/WebApp01, host/webapp01.contoso.test",
            "host/WebApp01: ticket (aes256-cts-hmac-sha1-96, kvno ", ") decrypts with the derived key",
            "\nAll 13 steps passed.\n",
        ] {
            XCTAssertTrue(outcome.output.contains(expected), "missing \(expected) in\n\(outcome.output)")
        }
    }

    func testJSONReportHasEveryStepAndTheFailedOne() throws {
        let domain = try TestDomain.require()
        let passing = try doctor(domain, ["--credspec", "\(domain.credSpecDirectory)/WebApp01.json", "--json"])
        XCTAssertEqual(passing.status, 0, passing.all)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(passing.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["passed"] as? Bool, true)
        XCTAssertTrue(report["failedStep"] is NSNull)
        let steps = try XCTUnwrap(report["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.compactMap { $0["name"] as? String }, Self.stepNames)
        XCTAssertEqual(steps.compactMap { $0["step"] as? String }, DoctorStep.allCases.map(\.identifier))
        XCTAssertTrue(steps.allSatisfy { $0["outcome"] as? String == "passed" && $0["milliseconds"] is Double && $0["fix"] is NSNull })

        let credentials = try file("wrong.cred", "CONTOSO\\StandardUser01:wrong-password")
        let failing = try doctor(domain, ["--credspec", "WebApp01", "--credentials", credentials, "--json"])
        XCTAssertEqual(failing.status, 1, failing.all)
        let failed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(failing.output.utf8)) as? [String: Any])
        XCTAssertEqual(failed["failedStep"] as? String, "portable-user-login")
        let last = try XCTUnwrap((failed["steps"] as? [[String: Any]])?.last)
        XCTAssertEqual(last["outcome"] as? String, "failed")
        XCTAssertTrue((last["finding"] as? String)?.contains("rejected the password of StandardUser01@CONTOSO.TEST") ?? false, "\(last)")
        XCTAssertNotNil(last["fix"] as? String)
    }

    func testDoctorRunsInProcessAndReportsEachStepAsItEnds() async throws {
        let domain = try TestDomain.require()
        var options = Doctor.Options(
            credSpec: "\(domain.credSpecDirectory)/WebApp01.json", configurationPath: try configuration(domain),
            scratchDirectory: directory)
        options.timeout = 3
        let heard = Mutex<[DoctorStep]>([])
        let before = ProcessInfo.processInfo.environment["KRB5_CONFIG"]
        let report = await Doctor(options: options).run { step in heard.withLock { $0.append(step.step) } }
        XCTAssertTrue(report.passed, report.failure.map { "\($0.name): \($0.finding ?? $0.detail)" } ?? "")
        XCTAssertEqual(report.steps.map(\.step), DoctorStep.allCases)
        XCTAssertEqual(heard.withLock { $0 }, DoctorStep.allCases)
        XCTAssertTrue(report.steps.allSatisfy { $0.duration > .zero && $0.finding == nil && $0.fix == nil })
        XCTAssertEqual(ProcessInfo.processInfo.environment["KRB5_CONFIG"], before, "the doctor left KRB5_CONFIG changed")
    }

    // MARK: parse

    func testBrokenJSONFailsParse() throws {
        let domain = try TestDomain.require()
        let path = try spec(domain, "broken.json", replacing: [("\"CmsPlugins\": [\"ActiveDirectory\"],", "\"CmsPlugins\": [\"ActiveDirectory\"]")])
        let outcome = try doctor(domain, ["--credspec", path])
        assertFailed(outcome, at: "parse", saying: ["\(path): not JSON at line 3", "is not valid JSON at line 3", "Fix the JSON there"])
    }

    func testDocumentationSampleGUIDFailsParse() throws {
        let domain = try TestDomain.require()
        let path = try spec(domain, "sample.json", replacing: [(domain["FILE_PLUGIN_GUID"], "GDMA0342-266A-4D1P-831J-20990E82944F")])
        let outcome = try doctor(domain, ["--credspec", path])
        assertFailed(
            outcome, at: "parse",
            saying: [
                "ActiveDirectoryConfig.HostAccountConfig.PluginGUID", "\"{GDMA0342-266A-4D1P-831J-20990E82944F}\" is not a GUID",
                "is the sample PluginGUID of Microsoft's documentation, not a GUID", "ccgctl plugin list",
            ])
    }

    func testUnknownCredSpecNameFailsParse() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "NoSuchApp"])
        assertFailed(outcome, at: "parse", saying: ["there is no CredSpec NoSuchApp in \(domain.credSpecDirectory)", "Give the CredSpec file's path"])
    }

    // MARK: plug-in

    func testUnknownPluginGUIDFailsPlugIn() throws {
        let domain = try TestDomain.require()
        let path = try spec(domain, "unknown-plugin.json", replacing: [(domain["FILE_PLUGIN_GUID"], "0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F1")])
        let outcome = try doctor(domain, ["--credspec", path])
        assertFailed(
            outcome, at: "plug-in",
            saying: [
                "No plug-in is registered for the CredSpec's PluginGUID {0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F1} (registered: {\(domain["FILE_PLUGIN_GUID"])})",
                "[plugin \"{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F1}\"]", "ccgctl plugin list",
            ])
    }

    func testMissingCredentialsFileFailsPlugIn() throws {
        let domain = try TestDomain.require()
        let missing = domain.credentialsDirectory + "/nowhere.json"
        let outcome = try doctor(domain, ["--credspec", try spec(domain, "missing.json", pluginInput: missing)])
        assertFailed(
            outcome, at: "plug-in",
            saying: [
                "Plug-in file ({\(domain["FILE_PLUGIN_GUID"])}) failed: file plug-in: PluginInput \"\(missing)\": cannot open \(missing): No such file or directory.",
                "Fix: Check the name in PluginInput",
            ])
    }

    func testCredentialsFileReadableByOthersFailsPlugIn() throws {
        let domain = try TestDomain.require()
        let open = try file("open.json", try String(contentsOfFile: domain.allowedCredentialsFile, encoding: .utf8), mode: 0o644)
        let outcome = try doctor(
            domain, ["--credspec", try spec(domain, "open-spec.json", pluginInput: open)],
            configuration: try configuration(domain, credentialsDirectory: directory))
        assertFailed(outcome, at: "plug-in", saying: ["\(open) has mode 644, not 600 or 400", "Fix: Run chmod 600 \(open)."])
    }

    func testPluginThatDoesNotAnswerFailsPlugInNamingItsTimeout() throws {
        let domain = try TestDomain.require()
        guard getuid() == 0 else { throw XCTSkip("an executable plug-in must be owned by root: run the tests as root to test its timeout") }
        let guid = "859E1386-BDB4-49E8-85C7-3070B13920E1"
        let program = try file("slow-plugin", "#!/bin/sh\nsleep 10\n", mode: 0o755)
        let configuration = try file(
            "slow.conf",
            """
            [plugins]
            credentials-directory = \(domain.credentialsDirectory)

            [plugin "{\(guid)}"]
            executable = \(program)
            name = slow
            timeout = 1s

            [domain "CONTOSO.TEST"]
            controllers = dc1.contoso.test=127.0.0.1

            """, mode: 0o644)
        let path = try spec(domain, "slow.json", replacing: [(domain["FILE_PLUGIN_GUID"], guid)])
        let started = Date()
        let outcome = try doctor(domain, ["--credspec", path], configuration: configuration)
        assertFailed(
            outcome, at: "plug-in",
            saying: [
                "plug-in slow timed out after 1 s", "Plug-in slow ({\(guid)}) did not answer within 1 s.", "raise its timeout",
            ])
        XCTAssertLessThan(Date().timeIntervalSince(started), 8, "the doctor waited for the plug-in past its timeout")
    }

    // MARK: DCs

    func testDNSDiscoveryListsTheControllersItFound() throws {
        let domain = try TestDomain.require()
        let configuration = try file(
            "dns.conf", "[daemon]\ndns-servers = \(domain["DNS"])\n[plugins]\ncredentials-directory = \(domain.credentialsDirectory)\n", mode: 0o644)
        let outcome = try doctor(domain, ["--credspec", "\(domain.credSpecDirectory)/WebApp01.json"], configuration: configuration)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("from DNS SRV _ldap._tcp.dc._msdcs.contoso.test via \(domain["DNS"])"), outcome.output)
        XCTAssertTrue(outcome.output.lowercased().contains("dc1.contoso.test (127.0.0.1) port 88"), outcome.output)
    }

    func testDomainWithoutSRVRecordsFailsDiscovery() throws {
        let domain = try TestDomain.require()
        let configuration = try file(
            "dns.conf", "[daemon]\ndns-servers = \(domain["DNS"])\n[plugins]\ncredentials-directory = \(domain.credentialsDirectory)\n", mode: 0o644)
        let path = try spec(
            domain, "nowhere.json",
            replacing: [
                ("\"DnsName\": \"contoso.test\"", "\"DnsName\": \"nowhere.contoso.test\""),
                ("\"Scope\": \"contoso.test\"", "\"Scope\": \"nowhere.contoso.test\""),
            ])
        let outcome = try doctor(domain, ["--credspec", path], configuration: configuration)
        assertFailed(
            outcome, at: "DC discovery",
            saying: [
                "No domain controller of NOWHERE.CONTOSO.TEST was found", "DNS SRV _ldap._tcp.dc._msdcs.nowhere.contoso.test (asked of \(domain["DNS"]))",
                "[domain \"NOWHERE.CONTOSO.TEST\"] controllers", "[daemon] dns-servers",
            ])
    }

    func testADomainControllerWhoseNameDoesNotResolveFailsDiscovery() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--dc", "dc9.nowhere.invalid"])
        assertFailed(
            outcome, at: "DC discovery",
            saying: [
                "No domain controller of CONTOSO.TEST from --dc resolves from this host: dc9.nowhere.invalid: cannot resolve the name (",
                "NAME=ADDRESS in --dc",
            ])
    }

    func testAddressWithoutAKDCFailsKDCReachability() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--dc", "dc1.contoso.test=127.0.0.2", "--timeout", "2"])
        assertFailed(
            outcome, at: "KDC reachability",
            saying: [
                "dc1.contoso.test (127.0.0.2) port 88: Connection refused", "TCP port 88 is open from this host",
            ])
    }

    func testPortNothingListensOnFailsLDAPReachability() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--dc", "dc1.contoso.test=127.0.0.1:1"])
        assertFailed(
            outcome, at: "LDAP reachability",
            saying: [
                "✓ KDC reachability", "dc1.contoso.test (127.0.0.1) port 1: Connection refused", "answers on its LDAP port",
            ])
    }

    func testADeadControllerBeforeALiveOneIsAWarning() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--dc", "dc1.contoso.test=127.0.0.2", "--dc", "dc1.contoso.test=127.0.0.1"])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("! KDC reachability"), outcome.output)
        XCTAssertTrue(outcome.output.contains("All 13 steps passed with 2 warnings."), outcome.output)
        XCTAssertTrue(
            outcome.output.contains("Warning (KDC reachability): dc1.contoso.test (127.0.0.2) port 88: Connection refused; ccgd will use the DCs that answer"),
            outcome.output)
    }

    // MARK: the portable user

    func testWrongPasswordInTheCredentialsFileFailsPortableUserLogin() throws {
        let domain = try TestDomain.require()
        let wrong = try file("wrong.cred", "CONTOSO\\StandardUser01:wrong-password")
        let outcome = try doctor(
            domain, ["--credspec", try spec(domain, "wrong.json", pluginInput: wrong)],
            configuration: try configuration(domain, credentialsDirectory: directory))
        assertFailed(
            outcome, at: "portable-user login",
            saying: [
                "StandardUser01@CONTOSO.TEST: Preauthentication failed",
                "The KDC rejected the password of StandardUser01@CONTOSO.TEST that plug-in file ({\(domain["FILE_PLUGIN_GUID"])}) returned.",
                "Set-ADAccountPassword",
            ])
    }

    func testUnknownUserFailsPortableUserLogin() throws {
        let domain = try TestDomain.require()
        let credentials = try file("nobody.cred", "CONTOSO\\NoSuchUser01:wrong-password")
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--credentials", credentials])
        assertFailed(
            outcome, at: "portable-user login",
            saying: [
                "The KDC of CONTOSO.TEST does not know the portable user NoSuchUser01@CONTOSO.TEST", "Get-ADUser NoSuchUser01",
            ])
    }

    /// libfaketime moves ccgctl's clock (and not the DC's): libkrb5 copes by itself, the doctor does not let it pass.
    func testClockSkewSaysBothClocksAndToSynchronise() throws {
        let domain = try TestDomain.require()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime") else {
            throw XCTSkip("faketime is not installed (Debian package faketime): clock skew not tested")
        }
        let outcome = try doctor(domain, ["--credspec", "WebApp01"], prefix: ["/usr/bin/faketime", "+2 hours"])
        if outcome.output.contains("; clocks agree") {
            throw XCTSkip("libfaketime did not move the clock of ccgctl here: clock skew not tested")
        }
        assertFailed(
            outcome, at: "portable-user login",
            saying: [
                "StandardUser01@CONTOSO.TEST: clock skew 2 h ahead of the KDC",
                "Clock skew: this host's clock is 2 h ahead of the KDC's (here ", ", KDC ", "ccgd's ticket renewal",
                "Fix: Synchronise this host's clock (NTP",
            ])
    }

    func testClockSkewTheKDCRefusesTellsTheDomainControllersTime() throws {
        let domain = try TestDomain.require()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/faketime") else {
            throw XCTSkip("faketime is not installed (Debian package faketime): clock skew not tested")
        }
        // Without kdc_timesync libkrb5 gives up at KRB5KRB_AP_ERR_SKEW; the DC's time then comes from its rootDSE.
        let conf = try String(contentsOfFile: domain.krb5Config, encoding: .utf8)
            .replacingOccurrences(of: "[libdefaults]\n", with: "[libdefaults]\n\tkdc_timesync = 0\n")
        let krb5 = try file("krb5.conf", conf, mode: 0o644)
        FaketimeLeftovers.remove()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--krb5-config", krb5], prefix: ["/usr/bin/faketime", "-30 minutes"])
        if outcome.output.contains("; clocks agree") {
            throw XCTSkip("libfaketime did not move the clock of ccgctl here: clock skew not tested")
        }
        assertFailed(
            outcome, at: "portable-user login",
            saying: [
                "StandardUser01@CONTOSO.TEST: Clock skew too great",
                "Clock skew: this host's clock is ", " behind the KDC's (here ", ", KDC ",
                "the KDC refused the login of StandardUser01@CONTOSO.TEST", "Fix: Synchronise this host's clock (NTP",
            ])
    }

    // MARK: the directory

    func testControllerNameWithoutLDAPServicePrincipalFailsSealedBind() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--dc", "dc9.contoso.test=127.0.0.1"])
        assertFailed(
            outcome, at: "sealed LDAP bind",
            saying: [
                "✓ portable-user login", "no ticket for ldap/dc9.contoso.test", "The DC has no SPN ldap/dc9.contoso.test; check the DC's name",
                "(the DC calls itself DC1.contoso.test)", "register the SPN",
            ])
    }

    func testLDAPSWithTheDomainsCAPasses() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", "WebApp01", "--ldaps", "--ca-file", domain.caFile])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("dc1.contoso.test (127.0.0.1) port 636"), outcome.output)
        XCTAssertTrue(outcome.output.contains("✓ LDAPS bind "), outcome.output)
        XCTAssertTrue(outcome.output.contains("LDAPS simple bind to dc1.contoso.test (127.0.0.1) as StandardUser01@contoso.test"), outcome.output)
    }

    func testOutsiderFailsPasswordPermission() throws {
        let domain = try TestDomain.require()
        let outcome = try doctor(domain, ["--credspec", try spec(domain, "outsider.json", pluginInput: domain.outsiderCredentialsFile)])
        assertFailed(
            outcome, at: "password permission",
            saying: [
                "✓ sealed LDAP bind",
                "User OutsiderUser01@CONTOSO.TEST is not in PrincipalsAllowedToRetrieveManagedPassword of gMSA WebApp01$",
                "Set-ADServiceAccount -Identity WebApp01 -PrincipalsAllowedToRetrieveManagedPassword",
            ])
    }

    func testMissingAccountFailsPasswordPermission() throws {
        let domain = try TestDomain.require()
        let path = try spec(domain, "missing-gmsa.json", replacing: [("\"Name\": \"WebApp01\"", "\"Name\": \"Missing01\"")])
        let outcome = try doctor(domain, ["--credspec", path])
        assertFailed(
            outcome, at: "password permission",
            saying: [
                "Missing01$: no such gMSA", "There is no group managed service account Missing01$ under DC=contoso,DC=test",
                "New-ADServiceAccount",
            ])
    }

    // MARK: the gMSA

    /// A throwaway gMSA made as scripts/testdomain makes WebApp01, but left disabled.
    func testDisabledAccountFailsGMSATGTAndAMissingSPNIsAWarning() throws {
        let domain = try TestDomain.require()
        let smb = ["-s", domain.smbConf]
        _ = try? domain.run(["samba-tool", "service-account", "delete", "--name=Disabled01"] + smb) // a previous run's
        let group = try domain.run(["samba-tool", "group", "show", "WebApp01Accounts", "--attributes=objectSid"] + smb)
        let sid = try XCTUnwrap(group.split(separator: "\n").first { $0.hasPrefix("objectSid: ") }?.dropFirst("objectSid: ".count))
        try domain.run(
            [
                "samba-tool", "service-account", "create", "--name=Disabled01", "--dns-host-name=disabled01.\(domain.dnsDomain)",
                "--group-msa-membership=O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;\(sid))",
            ] + smb)
        defer { _ = try? domain.run(["samba-tool", "service-account", "delete", "--name=Disabled01"] + smb) }
        try domain.run(["samba-tool", "spn", "add", "host/Disabled01", "Disabled01$"] + smb)
        let ldif = """
            dn: CN=Disabled01,CN=Managed Service Accounts,\(domain.domainDN)
            changetype: modify
            replace: msDS-SupportedEncryptionTypes
            msDS-SupportedEncryptionTypes: 28

            """
        let modified = try Command.run("/usr/bin/ldbmodify", ["-H", domain["DIR"] + "/private/sam.ldb"], input: Data(ldif.utf8))
        XCTAssertEqual(modified.status, 0, modified.all)
        let path = try spec(domain, "disabled.json", replacing: [("WebApp01", "Disabled01")])

        let disabled = try doctor(domain, ["--credspec", path])
        assertFailed(
            disabled, at: "gMSA TGT",
            saying: [
                "✓ keys", "Disabled01$@CONTOSO.TEST: account disabled",
                "The gMSA Disabled01$ is disabled (userAccountControl 0x1022 has ACCOUNTDISABLE)",
                "Fix: Enable the account: Enable-ADAccount -Identity 'Disabled01$'",
            ])

        try domain.run(["samba-tool", "user", "enable", "Disabled01$"] + smb)
        try domain.run(["samba-tool", "spn", "delete", "host/Disabled01", "Disabled01$"] + smb)
        let enabled = try doctor(domain, ["--credspec", path])
        XCTAssertEqual(enabled.status, 0, enabled.all)
        XCTAssertTrue(enabled.output.contains("! gMSA TGT "), enabled.output)
        XCTAssertTrue(enabled.output.contains("TGT for Disabled01$@CONTOSO.TEST until "), enabled.output)
        XCTAssertTrue(enabled.output.contains("All 13 steps passed with 1 warning."), enabled.output)
        XCTAssertTrue(
            enabled.output.contains("Warning (gMSA TGT): SPN missing: Disabled01$ has no servicePrincipalName, so services cannot get tickets for it"),
            enabled.output)
    }
}

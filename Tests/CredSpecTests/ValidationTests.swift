import CredSpec
import Foundation
import XCTest

/// Well-formed CredSpecs whose values ccgd cannot use.
final class ValidationTests: XCTestCase {
    private let accountsPath = "ActiveDirectoryConfig.GroupManagedServiceAccounts"
    private let notADNSName =
        #"is not a DNS name (expected labels of 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen, joined by dots, 253 characters at most); write the domain's DNS name, like contoso.com."#
    private let notAnAccountName =
        #"is not a gMSA name (expected 1 to 15 characters before an optional trailing $, none a space, a control character or one of "/\[]:;|=,+*?<>@$); use the account's name, like WebApp01."#
    private let notANetBIOSName =
        #"is not a NetBIOS domain name (expected 1 to 15 characters, none a dot, a control character or one of \/:*?"<>|); use the domain's NetBIOSName from Get-ADDomain, like CONTOSO."#

    func testWindowsDocsSampleGUIDIsRejectedAsNotAGUID() throws {
        let field = "ActiveDirectoryConfig.HostAccountConfig.PluginGUID"

        assertRejected(
            try Fixture.data("windows-docs-sample.json"),
            .invalid(field: field, value: "{GDMA0342-266A-4D1P-831J-20990E82944F}", reason: .notAPluginGUID),
            message:
                #"ActiveDirectoryConfig.HostAccountConfig.PluginGUID: "{GDMA0342-266A-4D1P-831J-20990E82944F}" is not a GUID (expected 32 hexadecimal digits like {859E1386-BDB4-49E8-85C7-3070B13920E1}); use the GUID of a registered plug-in."#,
            field: field
        )
    }

    func testPluginGUIDWithOnlyAnOpeningBraceIsNotAGUID() {
        XCTAssertEqual(
            parseError(Sample.replacing("-6C1F2A7E9B31}", with: "-6C1F2A7E9B31")),
            .invalid(
                field: "ActiveDirectoryConfig.HostAccountConfig.PluginGUID", value: "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31",
                reason: .notAPluginGUID
            )
        )
    }

    func testDomainGUIDThatIsTooShortIsNotAGUID() {
        assertRejected(
            Sample.replacing("b03dcfca0b57", with: "b03dcfca0b5"),
            .invalid(field: "DomainJoinConfig.Guid", value: "f9f13fea-efd2-40e3-9026-b03dcfca0b5", reason: .notADomainGUID),
            message:
                #"DomainJoinConfig.Guid: "f9f13fea-efd2-40e3-9026-b03dcfca0b5" is not a GUID (expected 32 hexadecimal digits like f9f13fea-efd2-40e3-9026-b03dcfca0b57); use the domain's ObjectGUID from Get-ADDomain."#,
            field: "DomainJoinConfig.Guid"
        )
    }

    func testDomainGUIDInBracesAndUppercaseIsAccepted() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing("f9f13fea-efd2-40e3-9026-b03dcfca0b57", with: "{F9F13FEA-EFD2-40E3-9026-B03DCFCA0B57}")
        )

        XCTAssertEqual(spec.domainJoinConfig.guid, try CredentialSpec(jsonData: Sample.data).domainJoinConfig.guid)
    }

    func testBuiltinAdministratorsSIDIsNotADomainSID() {
        assertRejected(
            Sample.replacing("S-1-5-21-1667864157-1729501337-2726663654", with: "S-1-5-32-544"),
            .invalid(field: "DomainJoinConfig.Sid", value: "S-1-5-32-544", reason: .notADomainSID),
            message:
                #"DomainJoinConfig.Sid: "S-1-5-32-544" is not a domain SID (expected S-1-5-21- and three numbers, like S-1-5-21-1667864157-1729501337-2726663654); use the domain's DomainSID from Get-ADDomain."#,
            field: "DomainJoinConfig.Sid"
        )
    }

    func testMalformedSIDsAreNotDomainSIDs() {
        let malformed = [
            "", "SID", "S-1-5-21", "S-1-5-21-1667864157-1729501337",
            "S-1-5-21-1667864157-1729501337-2726663654-1103", // an account's SID, not the domain's
            "S-1-5-21-4294967296-1729501337-2726663654", // beyond 32 bits
            "S-1-5-21-+1-2-3", "S-1-5-21-1--3", "S-1-5-21-1-2-3-", "S-2-5-21-1-2-3", "S-1-5-21-1-2-x",
        ]
        for sid in malformed {
            XCTAssertEqual(
                parseError(Sample.replacing("S-1-5-21-1667864157-1729501337-2726663654", with: sid)),
                .invalid(field: "DomainJoinConfig.Sid", value: .string(sid), reason: .notADomainSID), sid
            )
        }
    }

    func testDomainSIDsAtTheLimitsAreAccepted() {
        for sid in ["S-1-5-21-4294967295-0-1", "s-1-5-21-1-2-3"] {
            XCTAssertNil(parseError(Sample.replacing("S-1-5-21-1667864157-1729501337-2726663654", with: sid)), sid)
        }
    }

    func testDNSNameWithAnUnderscoreIsRejected() {
        assertRejected(
            Sample.replacing(#""DnsName": "contoso.test""#, with: #""DnsName": "contoso_test""#),
            .invalid(field: "DomainJoinConfig.DnsName", value: "contoso_test", reason: .notADNSName),
            message: #"DomainJoinConfig.DnsName: "contoso_test" \#(notADNSName)"#, field: "DomainJoinConfig.DnsName"
        )
    }

    func testMalformedDNSTreeNamesAreRejected() {
        let label63 = String(repeating: "a", count: 63)
        let malformed = [
            "", "-contoso.test", "contoso-.test", "contoso..test", "contoso.test.", ".contoso.test", "contoso test",
            "contosö.test", String(repeating: "a", count: 64) + ".test",
            [label63, label63, label63, String(repeating: "a", count: 62)].joined(separator: "."), // 254 characters
        ]
        for name in malformed {
            XCTAssertEqual(
                parseError(Sample.replacing(#""DnsTreeName": "contoso.test""#, with: #""DnsTreeName": "\#(name)""#)),
                .invalid(field: "DomainJoinConfig.DnsTreeName", value: .string(name), reason: .notADNSName), name
            )
        }
    }

    func testDNSNamesAtTheLimitsAreAccepted() {
        let label63 = String(repeating: "a", count: 63)
        let valid = [
            "contoso", "a-b.c0", "CONTOSO.TEST", "\(label63).test",
            [label63, label63, label63, String(repeating: "a", count: 61)].joined(separator: "."), // 253 characters
        ]
        for name in valid {
            XCTAssertNil(
                parseError(Sample.replacing(#""DnsTreeName": "contoso.test""#, with: #""DnsTreeName": "\#(name)""#)), name
            )
        }
    }

    func testNetBIOSNameWithADotIsRejected() {
        let field = "DomainJoinConfig.NetBiosName"

        assertRejected(
            Sample.replacing(#""NetBiosName": "CONTOSO""#, with: #""NetBiosName": "CONTOSO.TEST""#),
            .invalid(field: field, value: "CONTOSO.TEST", reason: .notANetBIOSName),
            message: #"DomainJoinConfig.NetBiosName: "CONTOSO.TEST" \#(notANetBIOSName)"#, field: field
        )
    }

    func testMalformedNetBIOSNamesAreRejected() {
        // Spelt as they stand inside the JSON string.
        let malformed = [
            #""#: "", #"CONTOSO-EUROPE-1"#: "CONTOSO-EUROPE-1", #"CON/TOSO"#: "CON/TOSO",
            #"CON\\TOSO"#: #"CON\TOSO"#, #"CON\"TOSO"#: #"CON"TOSO"#, #"CON|TOSO"#: "CON|TOSO",
            #"CON*"#: "CON*", #"CON\tTOSO"#: "CON\tTOSO",
        ]
        for (json, name) in malformed {
            XCTAssertEqual(
                parseError(Sample.replacing(#""NetBiosName": "CONTOSO""#, with: #""NetBiosName": "\#(json)""#)),
                .invalid(field: "DomainJoinConfig.NetBiosName", value: .string(name), reason: .notANetBIOSName), name
            )
        }
    }

    func testNetBIOSNameOfFifteenCharactersIsAccepted() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""NetBiosName": "CONTOSO""#: #""NetBiosName": "CONTOSO-EUROPE1""#,
                #""Scope": "CONTOSO""#: #""Scope": "CONTOSO-EUROPE1""#,
            ])
        )

        XCTAssertEqual(spec.domainJoinConfig.netBiosName, "CONTOSO-EUROPE1")
    }

    func testAccountNameLongerThanFifteenCharactersIsRejected() {
        let field = "\(accountsPath)[1].Name"

        assertRejected(
            Sample.replacing(#"{"Name": "WebApp01", "Scope": "CONTOSO"}"#, with: #"{"Name": "WebApp01-Reports", "Scope": "CONTOSO"}"#),
            .invalid(field: field, value: "WebApp01-Reports", reason: .notAnAccountName),
            message: #"ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Name: "WebApp01-Reports" \#(notAnAccountName)"#,
            field: field
        )
    }

    func testMalformedAccountNamesAreRejected() {
        // A trailing $ is dropped before the check, so "WebApp$$" is checked as "WebApp$".
        let malformed = [
            "": "", "$": "", "WebApp$$": "WebApp$", "Web App": "Web App", "Web@App": "Web@App",
            "Web/App": "Web/App", "Web,App": "Web,App", "WebApp01-Reports$": "WebApp01-Reports",
        ]
        for (written, checked) in malformed {
            XCTAssertEqual(
                parseError(Sample.replacing(#"{"Name": "WebApp01", "Scope": "CONTOSO"}"#, with: #"{"Name": "\#(written)", "Scope": "CONTOSO"}"#)),
                .invalid(field: "\(accountsPath)[1].Name", value: .string(checked), reason: .notAnAccountName), written
            )
        }
    }

    func testAccountNamesOfFifteenCharactersWithOrWithoutDollarAreAccepted() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #"{"Name": "WebApp01", "Scope": "contoso.test"}"#: #"{"Name": "WebApp01-Report$", "Scope": "contoso.test"}"#,
                #"{"Name": "WebApp01", "Scope": "CONTOSO"}"#: #"{"Name": "WebApp01-Report", "Scope": "CONTOSO"}"#,
            ])
        )

        XCTAssertEqual(spec.accounts, ["WebApp01-Report"])
    }

    func testMachineAccountNameWithASpaceIsRejected() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""MachineAccountName": "WebApp01""#, with: #""MachineAccountName": "Web App""#)),
            .invalid(field: "DomainJoinConfig.MachineAccountName", value: "Web App", reason: .notAnAccountName)
        )
    }

    func testScopeOfAnotherDomainIsRejectedAsUnsupported() {
        let field = "\(accountsPath)[1].Scope"

        assertRejected(
            Sample.replacing(#""Scope": "CONTOSO""#, with: #""Scope": "FABRIKAM""#),
            .invalid(
                field: field, value: "FABRIKAM",
                reason: .scopeOfAnotherDomain(dnsName: "contoso.test", netBiosName: "CONTOSO")
            ),
            message:
                #"ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Scope: "FABRIKAM" names another domain, but ccgd serves only accounts of the CredSpec's own domain; use contoso.test or CONTOSO."#,
            field: field
        )
    }

    func testChildDomainScopeIsAnotherDomain() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""Scope": "contoso.test""#, with: #""Scope": "eu.contoso.test""#)),
            .invalid(
                field: "\(accountsPath)[0].Scope", value: "eu.contoso.test",
                reason: .scopeOfAnotherDomain(dnsName: "contoso.test", netBiosName: "CONTOSO")
            )
        )
    }

    func testPortableCcgVersionOtherThanOneIsRejected() {
        let field = "ActiveDirectoryConfig.HostAccountConfig.PortableCcgVersion"

        assertRejected(
            Sample.replacing(#""PortableCcgVersion": "1""#, with: #""PortableCcgVersion": "2""#),
            .invalid(field: field, value: "2", reason: .unsupportedPortableCcgVersion),
            message: #"ActiveDirectoryConfig.HostAccountConfig.PortableCcgVersion: "2" is not a supported version; set it to "1"."#,
            field: field
        )
    }

    func testCmsPluginsWithoutActiveDirectoryIsRejected() {
        assertRejected(
            Sample.replacing(#"["ActiveDirectory"]"#, with: #"["Kerberos"]"#),
            .invalid(field: "CmsPlugins", value: ["Kerberos"], reason: .lacksActiveDirectoryPlugin),
            message: #"CmsPlugins: ["Kerberos"] does not contain "ActiveDirectory"; add "ActiveDirectory" to the list."#,
            field: "CmsPlugins"
        )
        XCTAssertEqual(
            parseError(Sample.replacing(#"["ActiveDirectory"]"#, with: "[]")),
            .invalid(field: "CmsPlugins", value: [], reason: .lacksActiveDirectoryPlugin)
        )
    }

    func testCmsPluginsMayNameActiveDirectoryInAnyCaseAmongOthers() throws {
        let spec = try CredentialSpec(jsonData: Sample.replacing(#"["ActiveDirectory"]"#, with: #"["Other", "activedirectory"]"#))

        XCTAssertEqual(spec.cmsPlugins, ["Other", "activedirectory"])
    }

    func testEmptyAccountListIsRejected() {
        let accounts = #"[{"Name": "WebApp01", "Scope": "contoso.test"}, {"Name": "WebApp01", "Scope": "CONTOSO"}]"#

        assertRejected(
            Sample.replacing(accounts, with: "[]"),
            .invalid(field: accountsPath, value: [], reason: .noAccounts),
            message: "ActiveDirectoryConfig.GroupManagedServiceAccounts: [] lists no account; add at least one gMSA with its Name and Scope.",
            field: accountsPath
        )
    }

    func testLongValueIsCutInTheMessage() {
        let name = String(repeating: "A", count: 200)

        let error = parseError(Sample.replacing(#""NetBiosName": "CONTOSO""#, with: #""NetBiosName": "\#(name)""#))

        XCTAssertEqual(error, .invalid(field: "DomainJoinConfig.NetBiosName", value: .string(name), reason: .notANetBIOSName))
        // The quote and 98 letters make 99 characters, then the ellipsis.
        XCTAssertEqual(
            error?.message,
            "DomainJoinConfig.NetBiosName: \"\(String(repeating: "A", count: 98))… \(notANetBIOSName)"
        )
    }
}

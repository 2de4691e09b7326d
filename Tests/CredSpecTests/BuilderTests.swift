import CredSpec
import Foundation
import XCTest

/// Making a CredSpec from facts read from Active Directory, as `ccgctl credspec new` does.
final class BuilderTests: XCTestCase {
    private func contoso(machineAccountName: String = "WebApp01") throws -> DomainJoinConfig {
        DomainJoinConfig(
            sid: "S-1-5-21-1667864157-1729501337-2726663654", machineAccountName: machineAccountName,
            guid: try XCTUnwrap(UUID(uuidString: "f9f13fea-efd2-40e3-9026-b03dcfca0b57")),
            dnsTreeName: "contoso.test", dnsName: "contoso.test", netBiosName: "CONTOSO"
        )
    }

    private let pluginGUID = PluginGUID("{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}")!

    func testEachAccountIsListedOncePerDomainNameLikeNewCredentialSpec() throws {
        let spec = try CredentialSpec(
            domain: contoso(), accounts: ["WebApp01", "SqlReports$", "webapp01"], pluginGUID: pluginGUID,
            pluginInput: "/etc/ccgd/portable-user.json"
        )

        XCTAssertEqual(
            spec.activeDirectoryConfig.groupManagedServiceAccounts,
            [
                GroupManagedServiceAccount(name: "WebApp01", scope: "contoso.test"),
                GroupManagedServiceAccount(name: "WebApp01", scope: "CONTOSO"),
                GroupManagedServiceAccount(name: "SqlReports", scope: "contoso.test"),
                GroupManagedServiceAccount(name: "SqlReports", scope: "CONTOSO"),
            ]
        )
        XCTAssertEqual(spec.cmsPlugins, ["ActiveDirectory"])
        XCTAssertEqual(spec.hostAccountConfig?.portableCcgVersion, "1")
        XCTAssertEqual(spec.accounts, ["WebApp01", "SqlReports"])
    }

    func testBuiltCredSpecIsWhatNewCredentialSpecWrites() throws {
        let spec = try CredentialSpec(
            domain: contoso(), accounts: ["WebApp01"], pluginGUID: pluginGUID, pluginInput: "/etc/ccgd/portable-user.json"
        )

        XCTAssertEqual(String(decoding: spec.jsonData(), as: UTF8.self), Sample.prettyOutput)
        XCTAssertEqual(spec, try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json")))
    }

    func testBuiltCredSpecWithObjectInputReadsBackEqual() throws {
        let spec = try CredentialSpec(
            domain: contoso(), accounts: ["WebApp01"], pluginGUID: pluginGUID,
            pluginInput: .object(["credentialArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:x", "retries": 3])
        )

        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec)
    }

    func testBuilderRefusesAnEmptyAccountList() throws {
        XCTAssertThrowsError(
            try CredentialSpec(domain: contoso(), accounts: [], pluginGUID: pluginGUID, pluginInput: "x")
        ) { error in
            XCTAssertEqual(
                error as? CredentialSpecError,
                .invalid(field: "ActiveDirectoryConfig.GroupManagedServiceAccounts", value: [], reason: .noAccounts)
            )
        }
    }

    func testBuilderChecksNamesLikeTheParser() throws {
        XCTAssertThrowsError(
            try CredentialSpec(domain: contoso(), accounts: ["WebApp01", "Web App"], pluginGUID: pluginGUID, pluginInput: "x")
        ) { error in
            XCTAssertEqual(
                error as? CredentialSpecError,
                .invalid(
                    field: "ActiveDirectoryConfig.GroupManagedServiceAccounts[2].Name", value: "Web App", reason: .notAnAccountName
                )
            )
        }
    }

    func testMachineAccountNameLosesItsDollar() throws {
        XCTAssertEqual(try contoso(machineAccountName: "WebApp01$").machineAccountName, "WebApp01")
    }
}

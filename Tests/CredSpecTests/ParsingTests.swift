import CredSpec
import Foundation
import XCTest

final class ParsingTests: XCTestCase {
    func testNewCredentialSpecOutputParsesIntoItsFacts() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))

        XCTAssertEqual(spec.cmsPlugins, ["ActiveDirectory"])
        let domain = spec.domainJoinConfig
        XCTAssertEqual(domain.sid, "S-1-5-21-1667864157-1729501337-2726663654")
        XCTAssertEqual(domain.machineAccountName, "WebApp01")
        XCTAssertEqual(domain.guid, UUID(uuidString: "F9F13FEA-EFD2-40E3-9026-B03DCFCA0B57"))
        XCTAssertEqual(domain.dnsTreeName, "contoso.test")
        XCTAssertEqual(domain.dnsName, "contoso.test")
        XCTAssertEqual(domain.netBiosName, "CONTOSO")
        XCTAssertEqual(
            spec.activeDirectoryConfig.groupManagedServiceAccounts,
            [
                GroupManagedServiceAccount(name: "WebApp01", scope: "contoso.test"),
                GroupManagedServiceAccount(name: "WebApp01", scope: "CONTOSO"),
            ]
        )
        let host = try XCTUnwrap(spec.hostAccountConfig)
        XCTAssertEqual(host.portableCcgVersion, "1")
        XCTAssertEqual(host.pluginGUID.normalized, "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31")
        XCTAssertEqual(host.pluginInput, .string("/etc/ccgd/portable-user.json"))
        XCTAssertTrue(spec.unknownFields.isEmpty)
        XCTAssertTrue(domain.unknownFields.isEmpty)
        XCTAssertTrue(host.unknownFields.isEmpty)
    }

    func testIdentitiesComeFromTheDistinctAccountNames() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))

        XCTAssertEqual(spec.accounts, ["WebApp01"])
        XCTAssertEqual(spec.primaryAccount, "WebApp01")
        XCTAssertEqual(spec.realm, "CONTOSO.TEST")
        XCTAssertEqual(spec.dnsDomain, "contoso.test")
    }

    func testAccountsAreDistinctCaseInsensitivelyInFirstAppearanceOrder() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("several-accounts.json"))

        // The fixture lists WebApp01 twice, SqlReports, webapp01 again, SqlReports, BatchJobs$.
        XCTAssertEqual(spec.activeDirectoryConfig.groupManagedServiceAccounts.count, 6)
        XCTAssertEqual(spec.accounts, ["WebApp01", "SqlReports", "BatchJobs"])
        XCTAssertEqual(spec.primaryAccount, "WebApp01")
    }

    func testMachineAccountNameNamesThePrimaryAccount() throws {
        // Windows: "the name of the gMSA will become the container's name on the network".
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""MachineAccountName": "WebApp01""#: #""MachineAccountName": "webapp02$""#,
                #"{"Name": "WebApp01", "Scope": "CONTOSO"}"#: #"{"Name": "WebApp02", "Scope": "CONTOSO"}"#,
            ])
        )

        XCTAssertTrue(spec.listsMachineAccount)
        XCTAssertEqual(spec.primaryAccount, "WebApp02")
        XCTAssertEqual(spec.accounts, ["WebApp02", "WebApp01"])
        XCTAssertEqual(spec.activeDirectoryConfig.groupManagedServiceAccounts.map(\.name), ["WebApp01", "WebApp02"], "the document keeps its order")
    }

    func testFirstAccountIsPrimaryWhenMachineAccountNameIsNotListed() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""MachineAccountName": "WebApp01""#: #""MachineAccountName": "Elsewhere""#,
                #"{"Name": "WebApp01", "Scope": "CONTOSO"}"#: #"{"Name": "WebApp02", "Scope": "CONTOSO"}"#,
            ])
        )

        XCTAssertFalse(spec.listsMachineAccount)
        XCTAssertEqual(spec.primaryAccount, "WebApp01")
        XCTAssertEqual(spec.accounts, ["WebApp01", "WebApp02"])
    }

    func testTrailingDollarOfAnAccountNameIsDropped() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""MachineAccountName": "WebApp01""#: #""MachineAccountName": "WebApp01$""#,
                #"{"Name": "WebApp01", "Scope": "CONTOSO"}"#: #"{"Name": "WebApp01$", "Scope": "CONTOSO"}"#,
            ])
        )

        XCTAssertEqual(spec.domainJoinConfig.machineAccountName, "WebApp01")
        XCTAssertEqual(spec.activeDirectoryConfig.groupManagedServiceAccounts[1].name, "WebApp01")
        XCTAssertEqual(spec.accounts, ["WebApp01"])
    }

    func testRealmIsTheDNSNameInUppercaseAndDNSDomainInLowercase() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""DnsName": "contoso.test""#: #""DnsName": "Contoso.Test""#,
                #""Scope": "contoso.test""#: #""Scope": "Contoso.Test""#,
            ])
        )

        XCTAssertEqual(spec.realm, "CONTOSO.TEST")
        XCTAssertEqual(spec.dnsDomain, "contoso.test")
    }

    func testPropertyNamesMatchCaseInsensitively() throws {
        let text = """
            {
                "cmsplugins": ["activedirectory"],
                "DOMAINJOINCONFIG": {
                    "sid": "S-1-5-21-1667864157-1729501337-2726663654",
                    "machineAccountName": "WebApp01",
                    "GUID": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                    "dnsTreeName": "contoso.test",
                    "DNSNAME": "contoso.test",
                    "NetBIOSName": "CONTOSO"
                },
                "activeDirectoryConfig": {
                    "groupManagedServiceAccounts": [{"name": "WebApp01", "SCOPE": "contoso.test"}, {"NAME": "WebApp01", "scope": "CONTOSO"}],
                    "hostaccountconfig": {
                        "portableCCGVersion": "1",
                        "pluginGuid": "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}",
                        "pluginInput": "/etc/ccgd/portable-user.json"
                    }
                }
            }
            """

        let relaxed = try CredentialSpec(jsonData: Data(text.utf8))

        // Only the CmsPlugins value keeps its lowercase spelling; every name was matched.
        XCTAssertEqual(relaxed.cmsPlugins, ["activedirectory"])
        let canonical = try CredentialSpec(jsonData: Sample.data)
        XCTAssertEqual(relaxed.domainJoinConfig, canonical.domainJoinConfig)
        XCTAssertEqual(relaxed.activeDirectoryConfig, canonical.activeDirectoryConfig)
        XCTAssertTrue(relaxed.unknownFields.isEmpty)
    }

    func testScopeMatchesTheDomainNamesCaseInsensitively() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing([
                #""Scope": "contoso.test""#: #""Scope": "CONTOSO.TEST""#,
                #""Scope": "CONTOSO""#: #""Scope": "contoso""#,
            ])
        )

        XCTAssertEqual(spec.activeDirectoryConfig.groupManagedServiceAccounts.map(\.scope), ["CONTOSO.TEST", "contoso"])
    }

    func testPluginInputStringIsHandedOverAsWritten() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))

        XCTAssertEqual(spec.hostAccountConfig?.pluginInput.text, "/etc/ccgd/portable-user.json")
    }

    func testAWSECSPluginInputObjectIsHandedOverAsCompactJSON() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("aws-ecs.json"))

        XCTAssertEqual(
            spec.hostAccountConfig?.pluginInput,
            .object([
                "credentialArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:gmsa-plugin-input-AbCdEf",
                "regionName": "us-west-2",
            ])
        )
        XCTAssertEqual(
            spec.hostAccountConfig?.pluginInput.text,
            #"{"credentialArn":"arn:aws:secretsmanager:us-west-2:123456789012:secret:gmsa-plugin-input-AbCdEf","regionName":"us-west-2"}"#
        )
        XCTAssertEqual(spec.hostAccountConfig?.pluginGUID, PluginGUID("859e1386-bdb4-49e8-85c7-3070b13920e1"))
        // The AWS sample's NetBIOS name is lowercase; its only account is scoped by DNS name.
        XCTAssertEqual(spec.domainJoinConfig.netBiosName, "example")
        XCTAssertEqual(spec.accounts, ["WebApp01"])
    }

    func testPluginInputObjectKeepsMemberOrderAndNumberSpelling() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing(
                #""PluginInput": "/etc/ccgd/portable-user.json""#,
                with: #""PluginInput": {"zone": "b", "limit": 1.0E+2, "flags": [true, null], "a": {}}"#
            )
        )

        XCTAssertEqual(spec.hostAccountConfig?.pluginInput.text, #"{"zone":"b","limit":1.0E+2,"flags":[true,null],"a":{}}"#)
    }

    func testReadingAFileGivesTheSameCredSpecAsItsBytes() throws {
        let url = try Fixture.url("new-credentialspec.json")

        XCTAssertEqual(try CredentialSpec.read(contentsOf: url), try CredentialSpec(jsonData: Data(contentsOf: url)))
    }
}

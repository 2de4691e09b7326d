import CredSpec
import Foundation
import XCTest

final class UnknownFieldsTests: XCTestCase {
    func testUnknownFieldsAreKeptAtEveryLevel() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("unknown-fields.json"))

        XCTAssertEqual(spec.unknownFields, ["x-ccgd-comment": "written by hand", "Version": 2])
        XCTAssertEqual(
            spec.domainJoinConfig.unknownFields,
            ["SiteName": "Default-First-Site-Name", "DomainControllers": ["dc1.contoso.test", "dc2.contoso.test"]]
        )
        XCTAssertEqual(spec.activeDirectoryConfig.unknownFields, ["Labels": ["team": "web", "tier": 3, "paths": "/srv/web"]])
        XCTAssertEqual(spec.activeDirectoryConfig.groupManagedServiceAccounts.map(\.unknownFields), [["Note": nil], [:]])
        XCTAssertEqual(
            spec.hostAccountConfig?.unknownFields,
            ["RetrySeconds": .number("1.50"), "Serial": .number("123456789012345678901234567890"), "Enabled": true]
        )
    }

    func testUnknownFieldsSurviveAReadWriteRoundTrip() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("unknown-fields.json"))

        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec)
        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData(prettyPrinted: false)), spec)
    }

    func testUnknownFieldsAreInTheOutputWithTheirValues() throws {
        let output = try CredentialSpec(jsonData: Fixture.data("unknown-fields.json")).jsonData()

        // Foundation's parser, so the check does not lean on the code under test.
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: output) as? [String: Any])
        XCTAssertEqual(root["x-ccgd-comment"] as? String, "written by hand")
        XCTAssertEqual(root["Version"] as? Int, 2)
        let domain = try XCTUnwrap(root["DomainJoinConfig"] as? [String: Any])
        XCTAssertEqual(domain["SiteName"] as? String, "Default-First-Site-Name")
        XCTAssertEqual(domain["DomainControllers"] as? [String], ["dc1.contoso.test", "dc2.contoso.test"])
        let directory = try XCTUnwrap(root["ActiveDirectoryConfig"] as? [String: Any])
        let labels = try XCTUnwrap(directory["Labels"] as? [String: Any])
        XCTAssertEqual(labels["team"] as? String, "web")
        XCTAssertEqual(labels["tier"] as? Int, 3)
        XCTAssertEqual(labels["paths"] as? String, "/srv/web")
        let accounts = try XCTUnwrap(directory["GroupManagedServiceAccounts"] as? [[String: Any]])
        XCTAssertTrue(accounts[0]["Note"] is NSNull)
        let host = try XCTUnwrap(directory["HostAccountConfig"] as? [String: Any])
        XCTAssertEqual(host["Enabled"] as? Bool, true)
        // Numbers are written as they were read, however large.
        let text = String(decoding: output, as: UTF8.self)
        XCTAssertTrue(text.contains(#""RetrySeconds": 1.50,"#), text)
        XCTAssertTrue(text.contains(#""Serial": 123456789012345678901234567890,"#), text)
    }

    func testKnownPropertiesComeFirstInWindowsOrderAndUnknownOnesFollow() throws {
        let text = String(decoding: try CredentialSpec(jsonData: Fixture.data("unknown-fields.json")).jsonData(), as: UTF8.self)

        func position(_ key: String) throws -> String.Index {
            try XCTUnwrap(text.range(of: "\"\(key)\":")?.lowerBound, key)
        }
        let topLevel = ["CmsPlugins", "DomainJoinConfig", "ActiveDirectoryConfig", "x-ccgd-comment", "Version"]
        let domain = ["Sid", "MachineAccountName", "Guid", "DnsTreeName", "DnsName", "NetBiosName", "SiteName", "DomainControllers"]
        let directory = ["GroupManagedServiceAccounts", "HostAccountConfig", "Labels"]
        let host = ["PortableCcgVersion", "PluginGUID", "PluginInput", "RetrySeconds", "Serial", "Enabled"]
        for keys in [topLevel, domain, directory, host] {
            let positions = try keys.map(position)
            XCTAssertEqual(positions, positions.sorted(), "\(keys)")
        }
        XCTAssertLessThan(try position("Labels"), try position("x-ccgd-comment"))
        XCTAssertLessThan(try position("Scope"), try position("Note"))
    }

    func testRepeatedUnknownKeysAreKeptInOrder() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing(#""CmsPlugins""#, with: #""Tag": "a", "tag": "b", "Tag": "c", "CmsPlugins""#)
        )

        XCTAssertEqual(spec.unknownFields.keys, ["Tag", "tag", "Tag"])
        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec)
    }
}

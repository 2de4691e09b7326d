import CredSpec
import Foundation
import XCTest

final class WritingTests: XCTestCase {
    func testNewCredentialSpecOutputIsWrittenInCanonicalForm() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("new-credentialspec-utf16le-bom.json"))

        XCTAssertEqual(String(decoding: spec.jsonData(), as: UTF8.self), Sample.prettyOutput)
    }

    func testCompactOutputHasNoWhitespace() throws {
        let spec = try CredentialSpec(jsonData: Sample.data)

        XCTAssertEqual(
            String(decoding: spec.jsonData(prettyPrinted: false), as: UTF8.self),
            #"{"CmsPlugins":["ActiveDirectory"],"DomainJoinConfig":{"Sid":"S-1-5-21-1667864157-1729501337-2726663654","#
                + #""MachineAccountName":"WebApp01","Guid":"f9f13fea-efd2-40e3-9026-b03dcfca0b57","DnsTreeName":"contoso.test","#
                + #""DnsName":"contoso.test","NetBiosName":"CONTOSO"},"ActiveDirectoryConfig":{"GroupManagedServiceAccounts":"#
                + #"[{"Name":"WebApp01","Scope":"contoso.test"},{"Name":"WebApp01","Scope":"CONTOSO"}],"HostAccountConfig":"#
                + #"{"PortableCcgVersion":"1","PluginGUID":"{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}","#
                + #""PluginInput":"/etc/ccgd/portable-user.json"}}}"#
        )
    }

    func testOutputIsUTF8WithoutByteOrderMark() throws {
        let data = try CredentialSpec(jsonData: Fixture.data("new-credentialspec-utf8-bom.json")).jsonData()

        XCTAssertEqual(data.first, UInt8(ascii: "{"))
    }

    func testPropertyNamesInAnyCaseAreWrittenCanonically() throws {
        let text = Sample.text
            .replacingOccurrences(of: #""CmsPlugins""#, with: #""cmsplugins""#)
            .replacingOccurrences(of: #""NetBiosName""#, with: #""NETBIOSNAME""#)
            .replacingOccurrences(of: #""Scope""#, with: #""scope""#)
            .replacingOccurrences(of: #""PluginGUID""#, with: #""pluginGuid""#)

        let spec = try CredentialSpec(jsonData: Data(text.utf8))

        XCTAssertEqual(String(decoding: spec.jsonData(), as: UTF8.self), Sample.prettyOutput)
    }

    func testPluginGUIDIsWrittenAsItWasSpelt() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing("{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", with: "5c7c8f4e-3c4b-4e8a-9d0b-6c1f2a7e9b31")
        )

        let output = String(decoding: spec.jsonData(), as: UTF8.self)

        XCTAssertTrue(output.contains(#""PluginGUID": "5c7c8f4e-3c4b-4e8a-9d0b-6c1f2a7e9b31""#), output)
    }

    func testDomainGUIDIsWrittenLowercaseWithoutBracesLikeWindows() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing("f9f13fea-efd2-40e3-9026-b03dcfca0b57", with: "{F9F13FEA-EFD2-40E3-9026-B03DCFCA0B57}")
        )

        XCTAssertEqual(String(decoding: spec.jsonData(), as: UTF8.self), Sample.prettyOutput)
    }

    func testStringsAreEscapedWhereJSONRequiresButSlashesAreNot() throws {
        let spec = try CredentialSpec(
            jsonData: Sample.replacing(#""/etc/ccgd/portable-user.json""#, with: #""a/b \"q\" \\ \n\u0001\u00e9""#)
        )
        XCTAssertEqual(spec.hostAccountConfig?.pluginInput, .string("a/b \"q\" \\ \n\u{01}é"))

        let output = String(decoding: spec.jsonData(), as: UTF8.self)

        XCTAssertTrue(output.contains(#""PluginInput": "a/b \"q\" \\ \n\u0001é""#), output)
        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec)
    }

    func testAWSECSPluginInputObjectIsWrittenBackAsAnObject() throws {
        let spec = try CredentialSpec(jsonData: Fixture.data("aws-ecs.json"))

        let output = String(decoding: spec.jsonData(), as: UTF8.self)

        let expected = [
            #"            "PluginInput": {"#,
            #"                "credentialArn": "arn:aws:secretsmanager:us-west-2:123456789012:secret:gmsa-plugin-input-AbCdEf","#,
            #"                "regionName": "us-west-2""#,
            #"            }"#,
        ].joined(separator: "\n")
        XCTAssertTrue(output.contains(expected), output)
        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec)
    }
}

import CredSpec
import Foundation
import XCTest

/// Input that is not JSON, or JSON without the properties and types a CredSpec has.
final class StructureErrorTests: XCTestCase {
    private let addIt = "the property is missing; add it as New-CredentialSpec writes it."

    func testTextThatIsNotJSONIsRejectedWithItsPosition() {
        assertRejected(
            Data("hello".utf8), .notJSON(problem: "expected a JSON value, found character 'h'", line: 1, column: 1),
            message: "The CredSpec is not valid JSON at line 1, column 1: expected a JSON value, found character 'h'; fix the JSON there.",
            field: nil
        )
    }

    func testEmptyInputIsNotJSON() {
        XCTAssertEqual(
            parseError(Data()), .notJSON(problem: "expected a JSON value, found the end of the text", line: 1, column: 1)
        )
    }

    func testTruncatedStringIsReportedAtTheEnd() {
        let text =
            "{\r\n    \"CmsPlugins\":  [\r\n        \"ActiveDirectory\"\r\n    ],\r\n"
            + "    \"DomainJoinConfig\":  {\r\n        \"Sid\":  \"S-1-5-21-1667"

        // Line 6 holds 8 spaces, "Sid" in quotes (5), a colon, 2 spaces, a quote and 13 characters: 30.
        assertRejected(
            Data(text.utf8), .notJSON(problem: "expected '\"' to end the string, found the end of the text", line: 6, column: 31),
            message: "The CredSpec is not valid JSON at line 6, column 31: expected '\"' to end the string, found the end of the text; fix the JSON there.",
            field: nil
        )
    }

    func testCredSpecCutBeforeItsLastBraceIsReportedOnTheLineAfterTheLastOne() throws {
        // The fixture has 30 CRLF-terminated lines; dropping "}\r\n" leaves 29 of them.
        let data = try Fixture.data("new-credentialspec.json").dropLast(3)

        XCTAssertEqual(
            parseError(Data(data)),
            .notJSON(problem: "expected ',' or '}' after a property, found the end of the text", line: 30, column: 1)
        )
    }

    func testTrailingCommaIsNotJSON() {
        XCTAssertEqual(
            parseError(Data(#"{"a": 1,}"#.utf8)),
            .notJSON(problem: "expected a property name in double quotes, found character '}'", line: 1, column: 9)
        )
    }

    func testTextAfterTheJSONValueIsNotJSON() {
        XCTAssertEqual(
            parseError(Data("{} x".utf8)),
            .notJSON(problem: "expected the end of the text after the JSON value, found character 'x'", line: 1, column: 4)
        )
    }

    func testDeepNestingIsRefusedWithoutCrashing() {
        let data = Data(String(repeating: "[", count: 100_000).utf8)

        XCTAssertEqual(
            parseError(data), .notJSON(problem: "arrays and objects nested more than 100 deep", line: 1, column: 101)
        )
    }

    func testTopLevelArrayIsNotACredSpec() {
        assertRejected(
            Data("[]".utf8), .wrongType(field: "", expected: [.object], found: .array),
            message: "The CredSpec is an array but must be an object; write it as New-CredentialSpec does.", field: nil
        )
    }

    func testTopLevelNullIsNotACredSpec() {
        XCTAssertEqual(parseError(Data(" null ".utf8)), .wrongType(field: "", expected: [.object], found: .null))
    }

    func testMissingCmsPluginsIsNamed() {
        assertRejected(
            Sample.replacing(#""CmsPlugins""#, with: #""CmsPlugin""#), .missing(field: "CmsPlugins"),
            message: "CmsPlugins: \(addIt)", field: "CmsPlugins"
        )
    }

    func testMissingDomainJoinConfigIsNamed() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""DomainJoinConfig""#, with: #""DomainConfig""#)),
            .missing(field: "DomainJoinConfig")
        )
    }

    func testMissingActiveDirectoryConfigIsNamed() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""ActiveDirectoryConfig""#, with: #""ADConfig""#)),
            .missing(field: "ActiveDirectoryConfig")
        )
    }

    func testMissingSidIsNamedWithItsPath() {
        assertRejected(
            Sample.replacing(#""Sid""#, with: #""DomainSid""#), .missing(field: "DomainJoinConfig.Sid"),
            message: "DomainJoinConfig.Sid: \(addIt)", field: "DomainJoinConfig.Sid"
        )
    }

    func testMissingScopeOfTheSecondAccountIsNamedWithItsIndex() {
        let field = "ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Scope"

        assertRejected(
            Sample.replacing(#"{"Name": "WebApp01", "Scope": "CONTOSO"}"#, with: #"{"Name": "WebApp01"}"#),
            .missing(field: field), message: "\(field): \(addIt)", field: field
        )
    }

    func testMissingHostAccountConfigMeansTheDomainJoinedWay() throws {
        // Windows: a CredSpec without HostAccountConfig is read with the host's own computer account.
        let spec = try CredentialSpec(jsonData: Sample.replacing(#""HostAccountConfig""#, with: #""DisabledHostAccountConfig""#))

        XCTAssertTrue(spec.isDomainJoined)
        XCTAssertNil(spec.hostAccountConfig)
        XCTAssertEqual(spec.activeDirectoryConfig.unknownFields.members.map(\.key), ["DisabledHostAccountConfig"])
        let written = String(decoding: spec.jsonData(), as: UTF8.self)
        XCTAssertFalse(written.contains("\"HostAccountConfig\""), written)
        XCTAssertEqual(try CredentialSpec(jsonData: spec.jsonData()), spec, "written and read back, it is the same CredSpec")
    }

    func testMissingPluginInputIsNamed() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""PluginInput""#, with: #""Input""#)),
            .missing(field: "ActiveDirectoryConfig.HostAccountConfig.PluginInput")
        )
    }

    func testCmsPluginsAsAStringIsTheWrongType() {
        assertRejected(
            Sample.replacing(#""CmsPlugins": ["ActiveDirectory"]"#, with: #""CmsPlugins": "ActiveDirectory""#),
            .wrongType(field: "CmsPlugins", expected: [.array], found: .string),
            message: "CmsPlugins: expected an array but found a string; write it as an array.", field: "CmsPlugins"
        )
    }

    func testNumberInCmsPluginsIsTheWrongTypeAtItsIndex() {
        XCTAssertEqual(
            parseError(Sample.replacing(#"["ActiveDirectory"]"#, with: #"["ActiveDirectory", 7]"#)),
            .wrongType(field: "CmsPlugins[1]", expected: [.string], found: .number)
        )
    }

    func testNullSidIsTheWrongType() {
        assertRejected(
            Sample.replacing(#""S-1-5-21-1667864157-1729501337-2726663654""#, with: "null"),
            .wrongType(field: "DomainJoinConfig.Sid", expected: [.string], found: .null),
            message: "DomainJoinConfig.Sid: expected a string but found null; write it as a string.",
            field: "DomainJoinConfig.Sid"
        )
    }

    func testDomainJoinConfigAsAnArrayIsTheWrongType() {
        let text = Sample.text.replacingOccurrences(of: #""DomainJoinConfig": {"#, with: #""DomainJoinConfig": [], "Unused": {"#)

        assertRejected(
            Data(text.utf8), .wrongType(field: "DomainJoinConfig", expected: [.object], found: .array),
            message: "DomainJoinConfig: expected an object but found an array; write it as an object.",
            field: "DomainJoinConfig"
        )
    }

    func testAccountWrittenAsAStringIsTheWrongTypeAtItsIndex() {
        let field = "ActiveDirectoryConfig.GroupManagedServiceAccounts[1]"

        assertRejected(
            Sample.replacing(#"{"Name": "WebApp01", "Scope": "CONTOSO"}"#, with: #""WebApp01""#),
            .wrongType(field: field, expected: [.object], found: .string),
            message: "\(field): expected an object but found a string; write it as an object.", field: field
        )
    }

    func testPortableCcgVersionAsANumberIsTheWrongType() {
        XCTAssertEqual(
            parseError(Sample.replacing(#""PortableCcgVersion": "1""#, with: #""PortableCcgVersion": 1"#)),
            .wrongType(field: "ActiveDirectoryConfig.HostAccountConfig.PortableCcgVersion", expected: [.string], found: .number)
        )
    }

    func testPluginInputMustBeAStringOrAnObject() {
        let field = "ActiveDirectoryConfig.HostAccountConfig.PluginInput"

        assertRejected(
            Sample.replacing(#""/etc/ccgd/portable-user.json""#, with: "true"),
            .wrongType(field: field, expected: [.string, .object], found: .boolean),
            message: "\(field): expected a string or an object but found a boolean; write it as a string or an object.",
            field: field
        )
        XCTAssertEqual(
            parseError(Sample.replacing(#""/etc/ccgd/portable-user.json""#, with: #"["a"]"#)),
            .wrongType(field: field, expected: [.string, .object], found: .array)
        )
    }

    func testPropertyGivenTwiceInDifferentCaseIsRejected() {
        assertRejected(
            Sample.replacing(#""MachineAccountName""#, with: #""SID": "S-1-5-21-1-2-3", "MachineAccountName""#),
            .duplicate(field: "DomainJoinConfig.Sid"),
            message: "DomainJoinConfig.Sid: the property appears more than once (property names are case-insensitive); keep only one.",
            field: "DomainJoinConfig.Sid"
        )
    }
}

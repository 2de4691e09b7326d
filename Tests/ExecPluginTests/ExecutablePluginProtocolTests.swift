import CCGPlugin
import Foundation
import XCTest

/// The request on stdin, the answer on stdout.
final class ExecutablePluginProtocolTests: ExecutablePluginTestCase {
    func testAnswerOnStdoutBecomesTheCredential() async throws {
        let path = try script(
            "vault",
            #"""
            cat > /dev/null
            cat <<'ANSWER'
            {"domainName": "contoso.test", "username": "StandardUser01", "password": "S3cr3t-Pa55"}
            ANSWER
            """#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "webapp01")
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "StandardUser01")
        XCTAssertEqual(credential.password, Password(Self.password))
    }

    func testRequestIsOneJSONObjectWithVersionAndPluginInputThenEndOfFile() async throws {
        let path = try script(
            "vault",
            #"""
            cat > "$1/request"
            echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'
            """#)
        _ = try await plugin(path).passwordCredentials(pluginInput: "/etc/ccgd/portable-user.json")
        let request = try String(contentsOfFile: directory + "/request", encoding: .utf8)
        XCTAssertEqual(request, #"{"version":1,"pluginInput":"/etc/ccgd/portable-user.json"}"# + "\n")
    }

    func testPluginInputThatIsJSONObjectTextIsPassedVerbatim() async throws {
        let input = #"{"credentialArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gmsa-user", "region": "eu-west-1"}"#
        let path = try script(
            "aws",
            #"""
            cat > "$1/request"
            echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'
            """#)
        _ = try await plugin(path).passwordCredentials(pluginInput: input)
        let request = try Data(contentsOf: URL(fileURLWithPath: directory + "/request"))
        XCTAssertEqual(
            String(decoding: request, as: UTF8.self),
            #"{"version":1,"pluginInput":"{\"credentialArn\": \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:gmsa-user\", \"region\": \"eu-west-1\"}"}"#
                + "\n")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: request) as? [String: Any])
        XCTAssertEqual(object["pluginInput"] as? String, input)
        XCTAssertEqual(object["version"] as? Int, 1)
    }

    func testControlCharactersInPluginInputAreEscapedInTheRequest() async throws {
        let path = try script(
            "vault",
            #"""
            cat > "$1/request"
            echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'
            """#)
        _ = try await plugin(path).passwordCredentials(pluginInput: "a\tb\n\u{1}\\é")
        let request = try String(contentsOfFile: directory + "/request", encoding: .utf8)
        XCTAssertEqual(request, #"{"version":1,"pluginInput":"a\tb\n\u0001\\é"}"# + "\n")
    }

    func testErrorObjectPassesItsCodeAndMessage() async throws {
        let path = try answering(#"{"error": {"code": "not_found", "message": "no secret gmsa-user in kv/ccgd"}}"#, exitStatus: 1)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? PluginError, PluginError(.notFound, "executable plug-in \(path): no secret gmsa-user in kv/ccgd"))
    }

    func testEveryErrorCodeIsPassedOn() async throws {
        for code in ["invalid_input", "not_found", "access_denied", "unavailable", "malformed_secret", "failed"] {
            let path = try answering(#"{"error": {"code": "\#(code)", "message": "m"}}"#)
            let error = await failure(of: try plugin(path))
            XCTAssertEqual((error as? PluginError)?.code.rawValue, code)
        }
    }

    func testUnknownErrorCodeBecomesFailedAndIsNamed() async throws {
        let path = try answering(#"{"error": {"code": "throttled", "message": "too many requests"}}"#)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? PluginError, PluginError(.failed, "executable plug-in \(path): too many requests (unknown code \"throttled\")"))
    }

    func testErrorWithoutMessageSaysSo() async throws {
        let path = try answering(#"{"error": {"code": "access_denied"}}"#)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(
            error as? PluginError, PluginError(.accessDenied, "executable plug-in \(path) reported an error without a message; run it by hand to see why."))
    }

    func testErrorAsPlainStringIsTheMessage() async throws {
        let path = try answering(#"{"error": "vault sealed"}"#)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? PluginError, PluginError(.failed, "executable plug-in \(path): vault sealed"))
    }

    func testControlCharactersInTheErrorMessageAreEscaped() async throws {
        let path = try answering(#"{"error": {"code": "unavailable", "message": "line one\nline two\u001b[31m"}}"#)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? PluginError, PluginError(.unavailable, #"executable plug-in \#(path): line one\nline two\u001b[31m"#))
    }

    func testErrorWinsOverCredentialsInTheSameAnswer() async throws {
        let path = try answering(
            #"{"domainName": "contoso.test", "username": "u", "password": "S3cr3t-Pa55", "error": {"code": "unavailable", "message": "stale"}}"#)
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? PluginError, PluginError(.unavailable, "executable plug-in \(path): stale"))
    }

    func testNullErrorUnknownFieldsAndFieldNameCaseAreAccepted() async throws {
        let path = try answering(
            """
            \u{FEFF}{"error": null, "DomainName": "contoso.test", "userName": "u", "password": "p",
             "expiresAt": 1735689600.5e-3, "renewable": false, "tags": ["a", {"b": [true, null, -0]}]}

            """)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.domainName, "contoso.test")
        XCTAssertEqual(credential.username, "u")
        XCTAssertEqual(credential.password, Password("p"))
    }

    func testEscapedPasswordIsDecodedToItsUTF8() async throws {
        let path = try answering(#"{"domainName": "contoso.test", "username": "u", "password": "p\"a\\s\/s\u00e9\ud83d\ude00 \u0041\t"}"#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.password, Password("p\"a\\s/sé😀 A\t"))
    }

    func testEscapesYieldThePasswordsExactBytes() async throws {
        let path = try answering(#"{"domainName": "contoso.test", "username": "u", "password": "a\nb\"c\u00e9d\ud83d\ude00e\u0000f"}"#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.password.withUTF8 { Array($0) }, Array("a\nb\"céd😀e".utf8) + [0] + Array("f".utf8))
    }

    func testMalformedPasswordStringIsRefusedWithoutQuotingIt() async throws {
        for answer in [
            #"{"domainName": "d", "username": "u", "password": "Marker\x"}"#,
            #"{"domainName": "d", "username": "u", "password": "Marker\u00"}"#,
            "{\"domainName\": \"d\", \"username\": \"u\", \"password\": \"Marker\u{01}\"}",
            #"{"domainName": "d", "username": "u", "password": "Marker"#,
        ] {
            let path = try answering(answer)
            let message = await message(of: try plugin(path))
            XCTAssertTrue(message.hasPrefix("the answer of executable plug-in \(path) is not a JSON object ("), message)
            XCTAssertFalse(message.contains("Marker"), message)
        }
    }

    func testUnpairedSurrogateBecomesReplacementCharacter() async throws {
        let path = try answering(#"{"domainName": "contoso.test", "username": "u", "password": "a\ud800b\udc00"}"#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.password, Password("a\u{FFFD}b\u{FFFD}"))
    }

    func testLargeRequestIsDeliveredWhole() async throws {
        let path = try script(
            "count",
            #"""
            n=$(wc -c)
            printf '{"domainName": "contoso.test", "username": "%s", "password": "p"}' "$n"
            """#)
        let input = String(repeating: "x", count: 300_000)
        let credential = try await plugin(path).passwordCredentials(pluginInput: input)
        XCTAssertEqual(credential.username, String(Self.request(input).count))
    }

    func testProgramThatIgnoresItsRequestStillAnswers() async throws {
        let path = try script("deaf", #"echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'"#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: String(repeating: "x", count: 300_000))
        XCTAssertEqual(credential.username, "u")
    }

    func testAnswerOfExactlyTheLimitIsAccepted() async throws {
        let answer = #"{"domainName": "contoso.test", "username": "u", "password": "p"}"#
        let path = try answering(answer + String(repeating: " ", count: 1024 - answer.utf8.count))
        let credential = try await plugin(path, maximumOutput: 1024).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.username, "u")
    }

    private static func request(_ input: String) -> [UInt8] {
        Array(#"{"version":1,"pluginInput":"\#(input)"}"#.utf8) + [0x0A]
    }
}

@testable import AwsSecretsManagerPlugin
import SecretMemory
import XCTest

/// SigV4 against the examples AWS publishes (not our own output).
final class SignatureV4Tests: XCTestCase {
    /// docs.aws.amazon.com/general/latest/gr/signature-v4-examples.html: the derived signing key.
    func testSigningKeyMatchesAWSExample() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: SecretBytes(Array("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".utf8)), source: "test")
        let key = SignatureV4(credentials: credentials, region: "us-east-1", service: "iam").signingKey(date: "20120215")
        let hex = key.key.withUnsafeBytes { SignatureV4.hex(Array($0)) }
        XCTAssertEqual(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    /// The aws-sig-v4-test-suite case "get-vanilla" (GET / with Host and X-Amz-Date).
    func testGetVanillaMatchesAWSTestSuite() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: SecretBytes(Array("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".utf8)), source: "test")
        var request = HTTPRequest(method: "GET", url: "https://example.amazonaws.com/", headers: ["Host: example.amazonaws.com"])
        SignatureV4(credentials: credentials, region: "us-east-1", service: "service").sign(&request, path: "/", timestamp: "20150830T123600Z")
        XCTAssertEqual(
            request.headers.last,
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }
}

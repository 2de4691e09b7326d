import Foundation
import XCTest

/// Searches what a daemon wrote for secrets, in every encoding they could be written out in:
/// the secret hygiene suite's and the rotation test's common tool.
enum SecretScan {
    /// A secret and the name it is reported under.
    struct Secret {
        let name: String
        let bytes: [UInt8]
    }

    /// Every way a secret could be written out: raw, hex (both cases), base64, and the UTF-16LE
    /// form of each text encoding.
    static func needles(_ secret: Secret) -> [(String, Data)] {
        let hex = secret.bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = Data(secret.bytes).base64EncodedString()
        let texts = [("hex", hex), ("HEX", hex.uppercased()), ("base64", base64)]
        var result: [(String, Data)] = [("\(secret.name) raw", Data(secret.bytes))]
        for (encoding, text) in texts {
            result.append(("\(secret.name) \(encoding)", Data(text.utf8)))
            result.append(("\(secret.name) \(encoding) UTF-16LE", Data(text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })))
        }
        return result
    }

    /// "<needle> in <place>" for every secret found in an artifact.
    static func findings(_ secrets: [Secret], in artifacts: [(String, Data)]) -> [String] {
        var found: [String] = []
        for secret in secrets {
            for (needle, bytes) in needles(secret) {
                for (place, data) in artifacts where data.range(of: bytes) != nil {
                    found.append("\(needle) in \(place)")
                }
            }
        }
        return found
    }

    static func passwordSecrets(_ name: String, _ password: String) -> [Secret] {
        [
            Secret(name: "\(name) (UTF-8)", bytes: Array(password.utf8)),
            Secret(name: "\(name) (UTF-16LE)", bytes: password.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
        ]
    }

    /// The gMSA's password as the DC holds it (virtualClearTextUTF16), and the UTF-8 AES keys are
    /// made from. samba-tool computes a gMSA's password at its own clock: `environment` may move it.
    static func managedPasswordSecrets(_ account: String, _ domain: TestDomain, environment: [String: String] = [:]) throws -> [Secret] {
        let utf16 = try managedPassword(account, domain, environment: environment)
        let units = stride(from: 0, to: utf16.count - 1, by: 2).map { UInt16(utf16[$0]) | UInt16(utf16[$0 + 1]) << 8 }
        let utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
        return [
            Secret(name: "\(account) password (UTF-16LE)", bytes: Array(utf16)),
            Secret(name: "\(account) password (UTF-8)", bytes: utf8),
        ]
    }

    /// The gMSA's current password, UTF-16LE, as the DC computes it.
    static func managedPassword(_ account: String, _ domain: TestDomain, environment: [String: String] = [:]) throws -> Data {
        let output = try domain.run(
            ["samba-tool", "user", "getpassword", account, "--attributes=virtualClearTextUTF16", "-s", domain.smbConf],
            environment: environment)
        // LDIF folds long values onto lines starting with one space.
        let unfolded = output.replacingOccurrences(of: "\n ", with: "")
        let line = try XCTUnwrap(unfolded.split(separator: "\n").first { $0.hasPrefix("virtualClearTextUTF16:: ") })
        return try XCTUnwrap(Data(base64Encoded: String(line.dropFirst("virtualClearTextUTF16:: ".count))))
    }

    static func keySecrets(_ account: String, _ domain: TestDomain, environment: [String: String] = [:]) throws -> [Secret] {
        try DomainControllerKeys(account: account, domain: domain, environment: environment).keys.map { key in
            Secret(name: "\(account) key kvno \(key.kvno) \(key.enctype)", bytes: key.bytes)
        }
    }
}

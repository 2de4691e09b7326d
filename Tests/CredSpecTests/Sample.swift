import CredSpec
import Foundation
import XCTest

/// A valid CredSpec to break one property at a time; accounts sit on one line so a test can
/// replace them whole.
enum Sample {
    static let text = """
        {
            "CmsPlugins": ["ActiveDirectory"],
            "DomainJoinConfig": {
                "Sid": "S-1-5-21-1667864157-1729501337-2726663654",
                "MachineAccountName": "WebApp01",
                "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                "DnsTreeName": "contoso.test",
                "DnsName": "contoso.test",
                "NetBiosName": "CONTOSO"
            },
            "ActiveDirectoryConfig": {
                "GroupManagedServiceAccounts": [{"Name": "WebApp01", "Scope": "contoso.test"}, {"Name": "WebApp01", "Scope": "CONTOSO"}],
                "HostAccountConfig": {
                    "PortableCcgVersion": "1",
                    "PluginGUID": "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}",
                    "PluginInput": "/etc/ccgd/portable-user.json"
                }
            }
        }
        """

    /// What `jsonData()` must write for the sample (and for the New-CredentialSpec fixture).
    static let prettyOutput = """
        {
            "CmsPlugins": [
                "ActiveDirectory"
            ],
            "DomainJoinConfig": {
                "Sid": "S-1-5-21-1667864157-1729501337-2726663654",
                "MachineAccountName": "WebApp01",
                "Guid": "f9f13fea-efd2-40e3-9026-b03dcfca0b57",
                "DnsTreeName": "contoso.test",
                "DnsName": "contoso.test",
                "NetBiosName": "CONTOSO"
            },
            "ActiveDirectoryConfig": {
                "GroupManagedServiceAccounts": [
                    {
                        "Name": "WebApp01",
                        "Scope": "contoso.test"
                    },
                    {
                        "Name": "WebApp01",
                        "Scope": "CONTOSO"
                    }
                ],
                "HostAccountConfig": {
                    "PortableCcgVersion": "1",
                    "PluginGUID": "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}",
                    "PluginInput": "/etc/ccgd/portable-user.json"
                }
            }
        }

        """

    static var data: Data { Data(text.utf8) }

    /// The sample with each `old` text (which must occur exactly once) replaced by its `new` text.
    static func replacing(
        _ replacements: KeyValuePairs<String, String>, file: StaticString = #filePath, line: UInt = #line
    ) -> Data {
        var text = text
        for (old, new) in replacements {
            XCTAssertEqual(text.components(separatedBy: old).count, 2, "\(old) must occur once in the sample", file: file, line: line)
            text = text.replacingOccurrences(of: old, with: new)
        }
        return Data(text.utf8)
    }

    static func replacing(_ old: String, with new: String, file: StaticString = #filePath, line: UInt = #line) -> Data {
        replacing([old: new], file: file, line: line)
    }
}

/// Asserts that parsing `data` fails with exactly `expected`, whose message and field are given
/// too so each test shows the sentence a user reads.
func assertRejected(
    _ data: Data, _ expected: CredentialSpecError, message: String, field: String?,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        let spec = try CredentialSpec(jsonData: data)
        XCTFail("parsed although it should fail: \(spec)", file: file, line: line)
    } catch {
        XCTAssertEqual(error, expected, file: file, line: line)
        XCTAssertEqual(error.message, message, file: file, line: line)
        XCTAssertEqual(error.description, message, file: file, line: line)
        XCTAssertEqual(error.field, field, file: file, line: line)
    }
}

/// The error parsing `data` throws, or nil if it parses.
func parseError(_ data: Data) -> CredentialSpecError? {
    do {
        _ = try CredentialSpec(jsonData: data)
        return nil
    } catch {
        return error
    }
}

import CredSpec
import Foundation
import XCTest

final class PluginGUIDTests: XCTestCase {
    func testGUIDsCompareIgnoringCaseAndBraces() throws {
        let spellings = [
            "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", "{5c7c8f4e-3c4b-4e8a-9d0b-6c1f2a7e9b31}",
            "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", "5c7c8f4e-3C4B-4e8a-9D0B-6c1f2a7e9b31",
        ]
        let guids = try spellings.map { try XCTUnwrap(PluginGUID($0), $0) }

        XCTAssertEqual(Set(guids).count, 1)
        XCTAssertEqual(guids.map(\.spelling), spellings)
        for guid in guids {
            XCTAssertEqual(guid, guids[0])
            XCTAssertEqual(guid.normalized, "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31")
            XCTAssertEqual(guid.description, "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}")
        }
    }

    func testDifferentGUIDsAreNotEqual() {
        XCTAssertNotEqual(
            PluginGUID("{859E1386-BDB4-49E8-85C7-3070B13920E1}"), PluginGUID("{859E1386-BDB4-49E8-85C7-3070B13920E2}")
        )
    }

    func testPublishedPluginGUIDsAreAccepted() {
        // AKS Key Vault, AWS, Rancher (which publishes its GUID in lowercase).
        for text in ["{CCC2A336-D7F3-4818-A213-272B7924213E}", "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "{e4781092-f116-4b79-b55e-28eb6a224e26}"] {
            XCTAssertNotNil(PluginGUID(text), text)
        }
    }

    func testWindowsDocsSampleIsNotAGUID() {
        XCTAssertNil(PluginGUID("{GDMA0342-266A-4D1P-831J-20990E82944F}"))
    }

    func testTextsThatAreNotGUIDsAreRejected() {
        let notGUIDs = [
            "", "{}", "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31", "5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}",
            "5C7C8F4E3C4B4E8A9D0B6C1F2A7E9B31", "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B3}", "{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B311}",
            "{5C7C8F4E-3C4B-4E8A-9D0B6-C1F2A7E9B31}", " {5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", "(5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31)",
            "{５C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}",
        ]
        for text in notGUIDs {
            XCTAssertNil(PluginGUID(text), text)
        }
    }

    func testGUIDMadeFromAUUIDIsSpeltInBracesAndUppercase() throws {
        let uuid = try XCTUnwrap(UUID(uuidString: "e4781092-f116-4b79-b55e-28eb6a224e26"))

        let guid = PluginGUID(uuid)

        XCTAssertEqual(guid.spelling, "{E4781092-F116-4B79-B55E-28EB6A224E26}")
        XCTAssertEqual(guid, PluginGUID("{e4781092-f116-4b79-b55e-28eb6a224e26}"))
        XCTAssertEqual(guid.uuid, uuid)
    }

    func testCredSpecsWithTheSameGUIDInDifferentSpellingAreEqual() throws {
        let lowercase = try CredentialSpec(
            jsonData: Sample.replacing("{5C7C8F4E-3C4B-4E8A-9D0B-6C1F2A7E9B31}", with: "5c7c8f4e-3c4b-4e8a-9d0b-6c1f2a7e9b31")
        )

        XCTAssertEqual(lowercase, try CredentialSpec(jsonData: Sample.data))
    }
}

import CredSpec
import XCTest

/// A CredSpec is named `NAME` or `NAME.json`: one rule for the directory, the API, ccgctl and ccgd.conf.
final class CredSpecNameTests: XCTestCase {
    func testANameWithOrWithoutJSONNamesTheSameCredSpec() throws {
        for text in ["WebApp01", "WebApp01.json", "WebApp01.JSON"] {
            XCTAssertEqual(try CredSpecName(text).stem, "WebApp01", text)
        }
        XCTAssertEqual(try CredSpecName("WebApp01").fileName, "WebApp01.json")
        XCTAssertEqual(try CredSpecName("WebApp01.JSON").fileName, "WebApp01.JSON", "the file as named, on a case-sensitive file system")
        XCTAssertEqual(try CredSpecName("a.json.json").stem, "a.json")
    }

    func testANameThatCouldLeaveTheDirectoryOrIsHiddenIsRefusedNamingIt() {
        for text in ["", ".json", "../x", "a/b", ".hidden", "a\0b", String(repeating: "n", count: 256)] {
            XCTAssertThrowsError(try CredSpecName(text), text.debugDescription) { error in
                XCTAssertEqual(error as? CredSpecName.Invalid, CredSpecName.Invalid(name: text))
            }
        }
        XCTAssertEqual(
            "\(CredSpecName.Invalid(name: "../x"))",
            #""../x" is not the plain name of a file in the CredSpec directory; give a name like WebApp01 or WebApp01.json."#
        )
    }

    func testOnlyVisibleJSONFilesOfADirectoryAreCredSpecs() {
        XCTAssertEqual(CredSpecName(fileName: "WebApp01.json")?.stem, "WebApp01")
        XCTAssertNil(CredSpecName(fileName: "WebApp01"))
        XCTAssertNil(CredSpecName(fileName: ".WebApp01.json"))
        XCTAssertNil(CredSpecName(fileName: "notes.txt"))
    }

    func testTheUncheckedStemOnlyDropsJSON() {
        XCTAssertEqual(CredSpecName.stem(of: "a/b.Json"), "a/b")
        XCTAssertEqual(CredSpecName.stem(of: "x"), "x")
    }
}

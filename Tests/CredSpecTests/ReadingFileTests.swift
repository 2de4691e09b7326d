import CredSpec
import Foundation
import XCTest

final class ReadingFileTests: XCTestCase {
    func testMissingFileIsReportedWithItsPath() {
        let url = URL(fileURLWithPath: "/nonexistent/ccgd/WebApp01.json")

        XCTAssertThrowsError(try CredentialSpec.read(contentsOf: url)) { error in
            XCTAssertEqual(
                error as? CredentialSpecError,
                .unreadable(path: "/nonexistent/ccgd/WebApp01.json", reason: "No such file or directory")
            )
            XCTAssertEqual(
                (error as? CredentialSpecError)?.message,
                "Cannot read the CredSpec /nonexistent/ccgd/WebApp01.json (No such file or directory); check the path and its permissions."
            )
        }
    }

    func testDirectoryIsNotReadAsACredSpec() throws {
        let directory = FileManager.default.temporaryDirectory

        XCTAssertThrowsError(try CredentialSpec.read(contentsOf: directory)) { error in
            guard case .unreadable(let path, let reason) = error as? CredentialSpecError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(path, directory.path)
            XCTAssertEqual(reason, "Is a directory")
        }
    }

    func testFileOverTheSizeLimitIsRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ccgd-credspec-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(repeating: UInt8(ascii: " "), count: CredentialSpec.maximumByteCount + 10).write(to: url)

        XCTAssertThrowsError(try CredentialSpec.read(contentsOf: url)) { error in
            XCTAssertEqual(error as? CredentialSpecError, .tooLarge(limit: 1_048_576))
            XCTAssertEqual(
                (error as? CredentialSpecError)?.message,
                "The CredSpec is larger than 1048576 bytes; check that the file is a CredSpec, which takes a few hundred bytes."
            )
        }
    }

    func testInputOfExactlyTheSizeLimitIsRead() throws {
        var data = Sample.data
        data.append(Data(repeating: UInt8(ascii: " "), count: CredentialSpec.maximumByteCount - data.count))

        XCTAssertEqual(data.count, 1_048_576)
        XCTAssertEqual(try CredentialSpec(jsonData: data), try CredentialSpec(jsonData: Sample.data))
        data.append(UInt8(ascii: " "))
        XCTAssertEqual(parseError(data), .tooLarge(limit: 1_048_576))
    }
}

import CredSpec
import Foundation
import LeaseService
import TestSupport
import XCTest

/// The CredSpec directory as a Kubernetes ConfigMap volume: the kubelet's atomic writer's layout.
final class CredSpecDirectoryTests: XCTestCase {
    private var base = ""
    private var path = ""

    override func setUpWithError() throws {
        base = try temporaryDirectory("credspecs")
        path = base + "/credspecs"
    }

    private func spec(_ account: String) -> String { CredSpecJSON(account: account).text }

    func testAConfigMapVolumesCredSpecsAreListedAndReadWithoutItsHiddenEntries() throws {
        let volume = try AtomicWriterVolume(at: path)
        try volume.write(["WebApp01.json": spec("WebApp01"), "WebApp02.json": spec("WebApp02"), "README": "not a CredSpec"])
        let directory = CredSpecDirectory(path: path)
        XCTAssertEqual(directory.names(), ["WebApp01", "WebApp02"])
        XCTAssertEqual(directory.credSpecNames().map(\.fileName).sorted(), ["WebApp01.json", "WebApp02.json"])
        XCTAssertEqual(try directory.read("WebApp02").primaryAccount, "WebApp02")
        XCTAssertEqual(try directory.read("WebApp01.json").primaryAccount, "WebApp01")
        for hidden in ["..data", "..data.json", volume.dataDirectory!] {
            XCTAssertThrowsError(try directory.read(hidden), hidden)
        }
    }

    func testASwapOfDataIsReadAtOnce() throws {
        let volume = try AtomicWriterVolume(at: path)
        try volume.write(["WebApp01.json": spec("WebApp01")])
        let directory = CredSpecDirectory(path: path)
        XCTAssertEqual(try directory.read("WebApp01").primaryAccount, "WebApp01")
        var changed = CredSpecJSON(account: "WebApp01")
        changed.accounts.append("WebApp02")
        try volume.write(["WebApp01.json": changed.text])
        XCTAssertEqual(try directory.read("WebApp01").accounts, ["WebApp01", "WebApp02"])
    }

    func testALinkOutOfTheDirectoryIsRefusedWithWhatToDo() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try spec("Outside").write(toFile: base + "/Outside.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(symlink("../Outside.json", path + "/Relative.json"), 0)
        XCTAssertEqual(symlink(base + "/Outside.json", path + "/Absolute.json"), 0)
        let directory = CredSpecDirectory(path: path)
        for (name, target) in [("Relative", "../Outside.json"), ("Absolute", base + "/Outside.json")] {
            XCTAssertThrowsError(try directory.read(name)) { error in
                XCTAssertEqual(
                    "\(error)",
                    "CredSpec \(name) leads out of the CredSpec directory \(path): \(path)/\(name).json points to \(target); a symbolic link is followed only to a file inside the directory (as a ConfigMap's NAME.json -> ..data/NAME.json), so copy the CredSpec into it."
                )
                XCTAssertEqual((error as? LeaseError)?.field, "credentialSpecName")
            }
        }
        XCTAssertEqual(symlink("Relative.json", path + "/Chained.json"), 0)
        XCTAssertThrowsError(try directory.read("Chained")) { error in
            guard case let .credSpecOutside(_, link, _, _) = error as? LeaseError else { return XCTFail("\(error)") }
            XCTAssertEqual(link, path + "/Relative.json", "the link that leaves is named")
        }
    }

    func testAPlainHostDirectoryStillReadsAndALinkInsideIsFollowed() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try spec("WebApp01").write(toFile: path + "/WebApp01.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(symlink("WebApp01.json", path + "/Alias.json"), 0)
        let directory = CredSpecDirectory(path: path)
        XCTAssertEqual(directory.names(), ["Alias", "WebApp01"])
        XCTAssertEqual(try directory.read("Alias").primaryAccount, "WebApp01")
        XCTAssertThrowsError(try directory.read("Missing")) { error in
            guard case .credSpecNotFound = error as? LeaseError else { return XCTFail("\(error)") }
        }
    }

    func testChangesNameWhatCameChangedAndWent() throws {
        let volume = try AtomicWriterVolume(at: path)
        try volume.write(["Kept.json": spec("Kept"), "Changed.json": spec("Changed"), "Gone.json": spec("Gone")])
        let directory = CredSpecDirectory(path: path)
        let before = directory.contents()
        var changed = CredSpecJSON(account: "Changed")
        changed.pluginInput = "other"
        try volume.write(["Kept.json": spec("Kept"), "Changed.json": changed.text, "New.json": spec("New"), "Broken.json": "{"])
        let changes = CredSpecDirectory.Changes(from: before, to: directory.contents())
        XCTAssertEqual(changes, CredSpecDirectory.Changes(added: ["Broken", "New"], changed: ["Changed"], removed: ["Gone"]))
        XCTAssertEqual("\(changes)", "added Broken,New; changed Changed; removed Gone")
        XCTAssertTrue(CredSpecDirectory.Changes(from: directory.contents(), to: directory.contents()).isEmpty)
    }
}

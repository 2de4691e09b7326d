import Foundation
import TestSupport
import XCTest

@testable import ccgd_runtime

/// The shim's work on a real bundle directory: config.json replaced atomically with its mode
/// kept, or not written at all.
final class BundlePreparationTests: XCTestCase {
    private var bundle = ""
    private var config: String { bundle + "/config.json" }
    private var hooks = ""

    override func setUpWithError() throws {
        bundle = try temporaryDirectory("bundle")
        hooks = bundle + "/hooks.json"
        try #"{"version":"1.0.0","hook":{"path":"/x/ccgd-oci-hook","args":["ccgd-oci-hook"]}}"#.write(toFile: hooks, atomically: true, encoding: .utf8)
    }

    private func write(_ text: String, mode: Int) throws {
        try text.write(toFile: config, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: config)
    }

    func testAContainerThatAsksForNothingKeepsItsFileByteForByteAndUnwritten() throws {
        // Pretty-printed with tabs, as `runc spec` writes it: any rewrite would show.
        let text = "{\n\t\"process\": {\n\t\t\"env\": [\"PATH=/bin\", \"TERM=xterm\"]\n\t},\n\t\"root\": {\"path\": \"rootfs\"}\n}"
        try write(text, mode: 0o600)
        let before = try FileManager.default.attributesOfItem(atPath: config)
        // Even a missing hooks file does not matter to such a container.
        try RuntimeShim.prepare(bundle: bundle, hooksFile: "/nonexistent/ccgd.json")
        let after = try FileManager.default.attributesOfItem(atPath: config)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: config)), Data(text.utf8))
        XCTAssertEqual(before[.systemFileNumber] as? Int, after[.systemFileNumber] as? Int, "the same file, not a copy")
        XCTAssertEqual(before[.modificationDate] as? Date, after[.modificationDate] as? Date)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle).sorted(), ["config.json", "hooks.json"])
    }

    func testAContainerThatAsksGetsANewFileWithTheSameModeAndNoTemporaryFileLeft() throws {
        try write(#"{"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]}}"#, mode: 0o640)
        let before = try FileManager.default.attributesOfItem(atPath: config)
        try RuntimeShim.prepare(bundle: bundle, hooksFile: hooks)
        let after = try FileManager.default.attributesOfItem(atPath: config)
        XCTAssertNotEqual(before[.systemFileNumber] as? Int, after[.systemFileNumber] as? Int, "replaced by rename")
        XCTAssertEqual(after[.posixPermissions] as? Int, 0o640)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        XCTAssertEqual(
            text,
            #"{"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]},"annotations":{"io.ccgd.credentialspec":"WebApp01"},"hooks":{"createRuntime":[{"path":"/x/ccgd-oci-hook","args":["ccgd-oci-hook"]}],"poststop":[{"path":"/x/ccgd-oci-hook","args":["ccgd-oci-hook"]}]}}"#
        )
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: bundle).sorted(), ["config.json", "hooks.json"])
    }

    func testAMissingHooksFileFailsAContainerThatAsksAndLeavesItsFileAlone() throws {
        let text = #"{"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]}}"#
        try write(text, mode: 0o600)
        XCTAssertThrowsError(try RuntimeShim.prepare(bundle: bundle, hooksFile: "/nonexistent/ccgd.json")) { error in
            XCTAssertEqual(
                "\(error)",
                "cannot open /nonexistent/ccgd.json (No such file or directory); install ccgd's OCI hook (scripts/install) or give its hooks.d file with --ccgd-hooks-file."
            )
        }
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), text)
    }

    func testABundleWithoutConfigurationIsNamed() {
        XCTAssertThrowsError(try RuntimeShim.prepare(bundle: bundle + "/missing", hooksFile: hooks)) { error in
            XCTAssertEqual(
                "\(error)", "cannot open \(bundle)/missing/config.json (No such file or directory); the caller gave a bundle without its config.json.")
        }
    }
}

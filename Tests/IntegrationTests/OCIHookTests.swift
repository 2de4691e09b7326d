import Foundation
import XCTest

/// ccgd-oci-hook run by hand with an OCI state, as a runtime runs it: what it does without a
/// daemon, before any container exists.
final class OCIHookTests: XCTestCase {
    private let directory = NSTemporaryDirectory() + "/ccgd-hook-\(UUID().uuidString.prefix(8))"
    private var socket: String { directory + "/nobody-listens.sock" }

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory + "/bundle/rootfs", withIntermediateDirectories: true)
        try #"{"root": {"path": "rootfs"}, "process": {"user": {"uid": 1000, "gid": 1000}}}"#
            .write(toFile: directory + "/bundle/config.json", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func hook(status: String, annotations: String) throws -> Command.Outcome {
        let state = #"{"ociVersion": "1.0.2", "id": "0123456789abcdef", "status": "\#(status)", "pid": \#(getpid()), "bundle": "\#(directory)/bundle", "annotations": \#(annotations)}"#
        return try Command.run("ccgd-oci-hook", ["--socket", socket], input: Data(state.utf8))
    }

    func testAContainerWithoutTheAnnotationIsLeftAloneWithoutAskingCcgd() throws {
        for status in ["creating", "stopped"] {
            let outcome = try hook(status: status, annotations: #"{"io.podman.annotations.autoremove": "TRUE"}"#)
            XCTAssertEqual(outcome.status, 0, outcome.all)
            XCTAssertEqual(outcome.all, "", "nothing to say, and ccgd (not running) was not asked")
        }
    }

    func testDaemonDownFailsTheStartWithOneLineNamingTheCredSpecAndTheCause() throws {
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.output, "")
        XCTAssertEqual(outcome.errors, "ccgd-oci-hook: container 0123456789ab, CredSpec WebApp01: cannot connect to ccgd at \(socket) (No such file or directory); is ccgd running (systemctl status ccgd), or is --socket in the hook's file wrong?\n")
    }

    func testAPoststopFailureIsLoggedAndDoesNotFailTheRemoval() throws {
        let outcome = try hook(status: "stopped", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 0, "the container's removal goes on")
        XCTAssertTrue(outcome.errors.hasPrefix("ccgd-oci-hook: container 0123456789ab: cannot delete its ccgd lease: cannot connect to ccgd at \(socket)"), outcome.errors)
    }

    func testInlineCredSpecsAndBadAnnotationsAreRefusedBeforeAskingCcgd() throws {
        let inline = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "{\"CmsPlugins\": []}"}"#)
        XCTAssertEqual(inline.status, 1)
        XCTAssertTrue(inline.errors.contains("inline CredSpecs are not accepted from annotations"), inline.errors)
        let krb5 = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01", "io.ccgd.krb5conf": "yes"}"#)
        XCTAssertTrue(krb5.errors.contains(#"io.ccgd.krb5conf may only be "none", not "yes"."#), krb5.errors)
        let path = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01", "io.ccgd.mount-path": "run/x"}"#)
        XCTAssertTrue(path.errors.contains(#"io.ccgd.mount-path must be an absolute path, not "run/x"."#), path.errors)
    }

    func testAUidOutsideTheMappingsIsRefused() throws {
        try #"{"root": {"path": "rootfs"}, "process": {"user": {"uid": 70000, "gid": 0}}, "linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}}"#
            .write(toFile: directory + "/bundle/config.json", atomically: true, encoding: .utf8)
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.errors.contains("the container's uid 70000 is in none of its uid mappings"), outcome.errors)
    }
}

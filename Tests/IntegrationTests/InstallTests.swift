import Foundation
import XCTest

/// scripts/install and scripts/uninstall, into a throwaway root.
final class InstallTests: XCTestCase {
    func testInstallPutsEverythingInPlaceAndUninstallTakesItAway() throws {
        let root = NSTemporaryDirectory() + "/ccgd-install-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts").path
        let installed = try Command.run(scripts + "/install", ["--destdir", root, "--binaries", Command.binaries])
        XCTAssertEqual(installed.status, 0, installed.all)
        XCTAssertTrue(installed.output.contains("systemctl daemon-reload && systemctl enable --now ccgd.socket"), installed.output)
        let modes: [(String, Int)] = [
            ("/usr/local/bin/ccgd", 0o755), ("/usr/local/bin/ccgctl", 0o755), ("/etc/systemd/system/ccgd.service", 0o644),
            ("/etc/systemd/system/ccgd.socket", 0o644), ("/etc/sysusers.d/ccgd.conf", 0o644), ("/etc/tmpfiles.d/ccgd.conf", 0o644),
            ("/etc/ccgd/ccgd.conf", 0o644), ("/etc/ccgd/portable-user.cred", 0o600), ("/usr/local/include/ccgd_plugin.h", 0o644),
            ("/usr/local/libexec/ccgd/ccgd-oci-hook", 0o755), ("/usr/share/containers/oci/hooks.d/ccgd.json", 0o644),
            ("/usr/lib/ccgd/plugins/aws-secrets-manager", 0o755), ("/usr/local/bin/ccgd-runtime", 0o755),
        ]
        for (path, mode) in modes {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + path)
            XCTAssertEqual(attributes[.posixPermissions] as? Int, mode, path)
        }
        // The file plug-in's default directory is there, closed to others.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: root + "/etc/ccgd/credentials")[.posixPermissions] as? Int, 0o700)
        // Every relative link of the installed README and docs leads to an installed file.
        let docs = root + "/usr/local/share/doc/ccgd"
        let pages = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: docs + "/docs")).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        XCTAssertGreaterThan(pages.count, 5, "the docs are installed")
        for page in pages {
            let text = try String(contentsOfFile: docs + "/" + page, encoding: .utf8)
            for match in text.matches(of: /\]\(([^)#:]+)(#[^)]*)?\)/) {
                let target = (URL(fileURLWithPath: docs + "/" + page).deletingLastPathComponent().path as NSString)
                    .appendingPathComponent(String(match.output.1))
                XCTAssertTrue(FileManager.default.fileExists(atPath: target), "\(page) links to \(match.output.1), which is not installed")
            }
        }
        // The installed configuration is the documented defaults, and ccgd accepts it.
        let check = try Command.run(root + "/usr/local/bin/ccgd", ["--check-config", "--config", root + "/etc/ccgd/ccgd.conf"])
        XCTAssertEqual(check.status, 0, check.all)

        // A second install keeps the operator's configuration.
        try "[daemon]\nlog-level = debug\n".write(toFile: root + "/etc/ccgd/ccgd.conf", atomically: true, encoding: .utf8)
        _ = try Command.run(scripts + "/install", ["--destdir", root, "--binaries", Command.binaries])
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/ccgd/ccgd.conf", encoding: .utf8), "[daemon]\nlog-level = debug\n")

        let removed = try Command.run(scripts + "/uninstall", ["--destdir", root])
        XCTAssertEqual(removed.status, 0, removed.all)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/bin/ccgd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/systemd/system/ccgd.service"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/libexec/ccgd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/share/containers/oci/hooks.d/ccgd.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/lib/ccgd/plugins/aws-secrets-manager"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/bin/ccgd-runtime"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/docker"), "no Docker here: no daemon.json was made")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/ccgd/ccgd.conf"), "configuration stays without --purge")
        _ = try Command.run(scripts + "/uninstall", ["--destdir", root, "--purge"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/ccgd"))
    }

    // MARK: Docker's daemon.json

    private static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").path

    /// A throwaway root with /etc/docker (Docker installed) and `daemonJSON` in it, if given.
    private func dockerRoot(daemonJSON: String?) throws -> String {
        let root = NSTemporaryDirectory() + "/ccgd-install-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/etc/docker", withIntermediateDirectories: true)
        if let daemonJSON { try daemonJSON.write(toFile: root + "/etc/docker/daemon.json", atomically: true, encoding: .utf8) }
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        return root
    }

    private func install(_ root: String) throws -> Command.Outcome {
        try Command.run(Self.scripts + "/install", ["--destdir", root, "--binaries", Command.binaries])
    }

    private func uninstall(_ root: String) throws -> Command.Outcome {
        try Command.run(Self.scripts + "/uninstall", ["--destdir", root])
    }

    private func daemonJSON(_ root: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/etc/docker/daemon.json"))) as? [String: Any])
    }

    func testTheRuntimeIsMergedIntoTheOperatorsDaemonJSONAndUninstallTakesOutOnlyIt() throws {
        let original = #"{"log-driver": "journald", "runtimes": {"nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": []}}, "debug": true}"#
        let root = try dockerRoot(daemonJSON: original)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: root + "/etc/docker/daemon.json")
        let installed = try install(root)
        XCTAssertEqual(installed.status, 0, installed.all)
        XCTAssertTrue(installed.output.contains("install: \(root)/etc/docker/daemon.json: runtime \"ccgd\" added (then: systemctl reload docker)"), installed.output)
        let merged = try daemonJSON(root)
        XCTAssertEqual(merged["log-driver"] as? String, "journald")
        XCTAssertEqual(merged["debug"] as? Bool, true)
        let runtimes = try XCTUnwrap(merged["runtimes"] as? [String: Any])
        XCTAssertEqual((runtimes["nvidia"] as? [String: Any])?["path"] as? String, "nvidia-container-runtime")
        XCTAssertEqual((runtimes["ccgd"] as? [String: Any])?["path"] as? String, "/usr/local/bin/ccgd-runtime")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: root + "/etc/docker/daemon.json")[.posixPermissions] as? Int, 0o600)
        // A second install changes nothing.
        let before = try Data(contentsOf: URL(fileURLWithPath: root + "/etc/docker/daemon.json"))
        XCTAssertEqual(try install(root).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: root + "/etc/docker/daemon.json")), before)

        let removed = try uninstall(root)
        XCTAssertEqual(removed.status, 0, removed.all)
        let left = try daemonJSON(root)
        XCTAssertEqual(left["log-driver"] as? String, "journald")
        XCTAssertEqual(left["debug"] as? Bool, true)
        XCTAssertEqual((left["runtimes"] as? [String: Any])?.keys.sorted(), ["nvidia"], "only ccgd's runtime is gone")
    }

    func testADaemonJSONInstallMadeIsDeletedByUninstall() throws {
        let root = try dockerRoot(daemonJSON: nil)
        XCTAssertEqual(try install(root).status, 0)
        XCTAssertEqual(try daemonJSON(root)["runtimes"] as? [String: [String: String]], ["ccgd": ["path": "/usr/local/bin/ccgd-runtime"]])
        XCTAssertEqual(try uninstall(root).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/docker/daemon.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/docker"))
    }

    func testAnInvalidDaemonJSONIsRefusedAndLeftAsItWas() throws {
        let broken = "{\"log-driver\": \"journald\",}\n"
        let root = try dockerRoot(daemonJSON: broken)
        let installed = try install(root)
        XCTAssertNotEqual(installed.status, 0, installed.all)
        XCTAssertTrue(installed.errors.contains("docker-daemon-json: \(root)/etc/docker/daemon.json is not valid JSON ("), installed.errors)
        XCTAssertTrue(installed.errors.contains("dockerd would refuse it too: correct it, then run this again."), installed.errors)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/docker/daemon.json", encoding: .utf8), broken)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/etc/docker"), ["daemon.json"], "no temporary file left")
    }

    func testAnotherRuntimeNamedCcgdIsNotReplaced() throws {
        let original = #"{"runtimes": {"ccgd": {"path": "/opt/other"}}}"#
        let root = try dockerRoot(daemonJSON: original)
        let installed = try install(root)
        XCTAssertNotEqual(installed.status, 0, installed.all)
        XCTAssertTrue(installed.errors.contains("already has a runtime \"ccgd\" with another path than /usr/local/bin/ccgd-runtime; remove it or change its path, then run this again."),
                      installed.errors)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/docker/daemon.json", encoding: .utf8), original)
        // Nor taken out by uninstall: it is not ours.
        XCTAssertEqual(try uninstall(root).status, 0)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/docker/daemon.json", encoding: .utf8), original)
    }

    func testUninstallRefusesWhileCcgdIsDockersDefaultRuntimeAndRemovesNothing() throws {
        let root = try dockerRoot(daemonJSON: #"{"default-runtime": "ccgd"}"#)
        XCTAssertEqual(try install(root).status, 0)
        let removed = try uninstall(root)
        XCTAssertNotEqual(removed.status, 0, removed.all)
        XCTAssertTrue(removed.errors.contains("makes \"ccgd\" Docker's default-runtime: set \"default-runtime\" back (e.g. to \"runc\") and reload Docker first, then run this again."),
                      removed.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/usr/local/bin/ccgd-runtime"), "nothing was removed")
        XCTAssertNotNil((try daemonJSON(root)["runtimes"] as? [String: Any])?["ccgd"])
    }

    func testNoDockerLeavesDaemonJSONAlone() throws {
        let root = try dockerRoot(daemonJSON: "{}")
        let installed = try Command.run(Self.scripts + "/install", ["--destdir", root, "--binaries", Command.binaries, "--no-docker"])
        XCTAssertEqual(installed.status, 0, installed.all)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/docker/daemon.json", encoding: .utf8), "{}")
    }
}

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
            ("/usr/lib/ccgd/plugins/aws-secrets-manager", 0o755),
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
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/ccgd/ccgd.conf"), "configuration stays without --purge")
        _ = try Command.run(scripts + "/uninstall", ["--destdir", root, "--purge"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/ccgd"))
    }
}

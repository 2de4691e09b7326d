import Foundation
import XCTest

/// scripts/install and scripts/uninstall (a developer's install of packaging/files, the list the
/// Debian package is made from), into a throwaway root.
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
            ("/usr/local/sbin/ccgd", 0o755), ("/usr/local/bin/ccgctl", 0o755), ("/etc/systemd/system/ccgd.service", 0o644),
            ("/etc/systemd/system/ccgd.socket", 0o644), ("/etc/sysusers.d/ccgd.conf", 0o644), ("/etc/tmpfiles.d/ccgd.conf", 0o644),
            ("/etc/ccgd/ccgd.conf", 0o644), ("/etc/ccgd/portable-user.cred", 0o600), ("/usr/local/include/ccgd_plugin.h", 0o644),
            ("/usr/local/libexec/ccgd/ccgd-oci-hook", 0o755), ("/usr/share/containers/oci/hooks.d/ccgd.json", 0o644),
            ("/usr/lib/ccgd/plugins/aws-secrets-manager", 0o755), ("/etc/ccgd/credentials", 0o700), ("/etc/ccgd/credspecs", 0o755),
            ("/var/lib/ccgd", 0o700), ("/usr/local/share/man/man8/ccgd.8.gz", 0o644), ("/usr/local/share/man/man5/ccgd.conf.5.gz", 0o644),
            ("/usr/local/share/bash-completion/completions/ccgctl", 0o644), ("/usr/local/share/zsh/site-functions/_ccgctl", 0o644),
        ]
        for (path, mode) in modes {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + path)
            XCTAssertEqual(attributes[.posixPermissions] as? Int, mode, path)
        }
        // The installed configuration shows the documented defaults commented out, and ccgd accepts it.
        let configuration = try String(contentsOfFile: root + "/etc/ccgd/ccgd.conf", encoding: .utf8)
        XCTAssertTrue(configuration.contains("\n#prefetch = yes\n"), configuration)
        XCTAssertFalse(configuration.split(separator: "\n").contains { $0.first?.isLetter == true }, "no key is set: \(configuration)")
        let check = try Command.run(root + "/usr/local/sbin/ccgd", ["--check-config", "--config", root + "/etc/ccgd/ccgd.conf"])
        XCTAssertEqual(check.status, 0, check.all)
        // The unit and the hooks.d file name the programs where this install put them.
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/ccgd.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("ExecStart=/usr/local/sbin/ccgd --config /etc/ccgd/ccgd.conf"), unit)
        let hook = try String(contentsOfFile: root + "/usr/share/containers/oci/hooks.d/ccgd.json", encoding: .utf8)
        XCTAssertTrue(hook.contains("\"/usr/local/libexec/ccgd/ccgd-oci-hook\""), hook)

        // A second install keeps the operator's configuration.
        try "[daemon]\nlog-level = debug\n".write(toFile: root + "/etc/ccgd/ccgd.conf", atomically: true, encoding: .utf8)
        _ = try Command.run(scripts + "/install", ["--destdir", root, "--binaries", Command.binaries])
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/ccgd/ccgd.conf", encoding: .utf8), "[daemon]\nlog-level = debug\n")

        let removed = try Command.run(scripts + "/uninstall", ["--destdir", root])
        XCTAssertEqual(removed.status, 0, removed.all)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/sbin/ccgd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/share/man/man8/ccgd.8.gz"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/share/doc/ccgd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/systemd/system/ccgd.service"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/libexec/ccgd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/share/containers/oci/hooks.d/ccgd.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/lib/ccgd/plugins/aws-secrets-manager"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/ccgd/ccgd.conf"), "configuration stays without --purge")
        _ = try Command.run(scripts + "/uninstall", ["--destdir", root, "--purge"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/ccgd"))
    }
}

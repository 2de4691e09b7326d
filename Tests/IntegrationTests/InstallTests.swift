import Foundation
import TestSupport
import XCTest

/// scripts/install and scripts/uninstall (a developer's install of packaging/files, the list the
/// Debian package is made from), into a throwaway root.
final class InstallTests: XCTestCase {
    func testInstallPutsEverythingInPlaceAndUninstallTakesItAway() throws {
        let root = try temporaryDirectory("install")
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
            ("/usr/lib/ccgd/plugins/aws-secrets-manager", 0o755), ("/usr/local/libexec/ccgd/ccgd-runtime", 0o755),
            ("/etc/ccgd/credentials", 0o700), ("/etc/ccgd/credspecs", 0o755),
            ("/var/lib/ccgd", 0o700), ("/usr/local/share/man/man8/ccgd.8.gz", 0o644), ("/usr/local/share/man/man5/ccgd.conf.5.gz", 0o644),
            ("/usr/local/share/bash-completion/completions/ccgctl", 0o644), ("/usr/local/share/zsh/site-functions/_ccgctl", 0o644),
        ]
        for (path, mode) in modes {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + path)
            XCTAssertEqual(attributes[.posixPermissions] as? Int, mode, path)
        }
        // Every entry of packaging/files but the package's own is installed, with the list's mode,
        // and every page of docs/ is in the list (a new one would be missing from the package).
        let top = URL(fileURLWithPath: scripts).deletingLastPathComponent().path
        let entries = try Self.listEntries(top)
        XCTAssertGreaterThan(entries.count, 30, "packaging/files read")
        for entry in entries where !entry.flags.contains("package") {
            let path = root + Self.localPath(entry.target)
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            XCTAssertNotNil(attributes, "\(entry.target) of packaging/files is not installed at \(Self.localPath(entry.target))")
            XCTAssertEqual(attributes?[.posixPermissions] as? Int, entry.mode, entry.target)
        }
        let listed = Set(entries.map(\.source))
        for page in try FileManager.default.contentsOfDirectory(atPath: top + "/docs") where page.hasSuffix(".md") {
            XCTAssertTrue(listed.contains("docs/" + page), "docs/\(page) is not in packaging/files")
        }
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
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/usr/local/libexec/ccgd/ccgd-runtime"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/docker"), "no Docker here: no daemon.json was made")
        // Of the list's files only the conffile is left; of its directories only those holding the operator's state.
        for entry in try Self.listEntries(top) where entry.source != "-" && !entry.flags.contains("conffile") {
            XCTAssertFalse(FileManager.default.fileExists(atPath: root + Self.localPath(entry.target)), "\(entry.target) is left after uninstall")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/etc/ccgd/ccgd.conf"), "configuration stays without --purge")
        _ = try Command.run(scripts + "/uninstall", ["--destdir", root, "--purge"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/etc/ccgd"))
    }

    // MARK: packaging/files, read here as packaging/layout.sh reads it

    struct ListEntry { let mode: Int; let source: String; let target: String; let flags: [String] }

    static func listEntries(_ top: String) throws -> [ListEntry] {
        try String(contentsOfFile: top + "/packaging/files", encoding: .utf8).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#"), fields.count >= 3, let mode = Int(first, radix: 8) else { return nil }
            return ListEntry(mode: mode, source: fields[1], target: fields[2], flags: fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : [])
        }
    }

    /// Where a developer's install puts a target of the list (layout.sh's local_path, written out
    /// again here so that a change there has to be made on purpose in both).
    static func localPath(_ target: String) -> String {
        for prefix in ["/usr/sbin/", "/usr/bin/", "/usr/libexec/", "/usr/include/", "/usr/share/doc/", "/usr/share/man/", "/usr/share/bash-completion/"]
        where target.hasPrefix(prefix) {
            return "/usr/local" + target.dropFirst(4)
        }
        let name = target.split(separator: "/").last.map(String.init) ?? target
        if target.hasPrefix("/usr/share/zsh/vendor-completions/") { return "/usr/local/share/zsh/site-functions/" + name }
        if target.hasPrefix("/lib/systemd/system/") { return "/etc/systemd/system/" + name }
        if target.hasPrefix("/usr/lib/sysusers.d/") || target.hasPrefix("/usr/lib/tmpfiles.d/") { return "/etc/" + target.dropFirst(9) }
        return target
    }

    // MARK: Docker's daemon.json

    private static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts").path

    /// A throwaway root with /etc/docker (Docker installed) and `daemonJSON` in it, if given.
    private func dockerRoot(daemonJSON: String?) throws -> String {
        let root = try temporaryDirectory("install", creating: ["etc/docker"])
        if let daemonJSON { try daemonJSON.write(toFile: root + "/etc/docker/daemon.json", atomically: true, encoding: .utf8) }
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
        XCTAssertTrue(
            installed.output.contains("install: \(root)/etc/docker/daemon.json: runtime \"ccgd\" added (then: systemctl reload docker)"), installed.output)
        let merged = try daemonJSON(root)
        XCTAssertEqual(merged["log-driver"] as? String, "journald")
        XCTAssertEqual(merged["debug"] as? Bool, true)
        let runtimes = try XCTUnwrap(merged["runtimes"] as? [String: Any])
        XCTAssertEqual((runtimes["nvidia"] as? [String: Any])?["path"] as? String, "nvidia-container-runtime")
        XCTAssertEqual((runtimes["ccgd"] as? [String: Any])?["path"] as? String, "/usr/local/libexec/ccgd/ccgd-runtime")
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
        XCTAssertEqual(try daemonJSON(root)["runtimes"] as? [String: [String: String]], ["ccgd": ["path": "/usr/local/libexec/ccgd/ccgd-runtime"]])
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
        XCTAssertTrue(
            installed.errors.contains(
                "already has a runtime \"ccgd\" with another path than /usr/local/libexec/ccgd/ccgd-runtime; remove it or change its path, then run this again."
            ),
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
        XCTAssertTrue(
            removed.errors.contains(
                "makes \"ccgd\" Docker's default-runtime: set \"default-runtime\" back (e.g. to \"runc\") and reload Docker first, then run this again."),
            removed.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/usr/local/libexec/ccgd/ccgd-runtime"), "nothing was removed")
        XCTAssertNotNil((try daemonJSON(root)["runtimes"] as? [String: Any])?["ccgd"])
    }

    func testNoDockerLeavesDaemonJSONAlone() throws {
        let root = try dockerRoot(daemonJSON: "{}")
        let installed = try Command.run(Self.scripts + "/install", ["--destdir", root, "--binaries", Command.binaries, "--no-docker"])
        XCTAssertEqual(installed.status, 0, installed.all)
        XCTAssertEqual(try String(contentsOfFile: root + "/etc/docker/daemon.json", encoding: .utf8), "{}")
    }
}

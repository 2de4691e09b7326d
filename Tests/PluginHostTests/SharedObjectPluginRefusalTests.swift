import CCGPlugin
import XCTest
import Glibc
import PluginHost

final class SharedObjectPluginRefusalTests: XCTestCase {
    private var directory: PluginDirectory!

    override func setUpWithError() throws { directory = try PluginDirectory() }
    override func tearDown() { directory.remove() }

    private func requireRoot() throws {
        try XCTSkipUnless(geteuid() == 0, "only root can give a file to another user")
    }

    // MARK: the file

    func testGroupWritableFileIsRefused() throws {
        let path = try directory.cSample()
        XCTAssertEqual(chmod(path, 0o664), 0)
        let error = loadError(path)
        XCTAssertEqual(error, .writableByOthers(path: path, kind: "shared-object", mode: 0o664))
        XCTAssertEqual(error?.description, "shared-object plug-in \(path) is writable by group or others (mode 664); run chmod go-w \(path).")
        XCTAssertEqual(error?.code, .pluginFailed)
    }

    func testWorldWritableFileIsRefusedEvenWithoutTheOwnershipCheck() throws {
        let path = try directory.cSample()
        XCTAssertEqual(chmod(path, 0o646), 0)
        XCTAssertEqual(loadError(path, requireRootOwnership: false), .writableByOthers(path: path, kind: "shared-object", mode: 0o646))
    }

    func testFileNotOwnedByRootIsRefused() throws {
        try requireRoot()
        let path = try directory.cSample()
        XCTAssertEqual(chown(path, 1, 1), 0)
        let error = loadError(path)
        XCTAssertEqual(error, .notOwnedByRoot(path: path, kind: "shared-object", uid: 1))
        XCTAssertEqual(error?.description, "shared-object plug-in \(path) is owned by uid 1, not root; run chown root \(path) if you trust it.")
    }

    func testFileNotOwnedByRootLoadsWhenRootOwnershipIsNotRequired() async throws {
        try requireRoot()
        let path = try directory.cSample()
        XCTAssertEqual(chown(path, 1, 1), 0)
        let plugin = try SharedObjectPlugin(path: path, requireRootOwnership: false)
        let credential = try await plugin.passwordCredentials(pluginInput: "user@contoso.com")
        XCTAssertEqual(credential.username, "user")
    }

    func testDirectoryIsNotARegularFile() throws {
        let path = directory.path
        let error = loadError(path)
        XCTAssertEqual(error, .notRegularFile(path: path, kind: "shared-object"))
        XCTAssertEqual(error?.description, "shared-object plug-in \(path) is not a regular file; give the path of the plug-in file itself.")
    }

    func testMissingFileIsNamedWithTheReason() {
        let path = directory.path + "/libmissing.so"
        let error = loadError(path)
        XCTAssertEqual(error, .uninspectable(path: path, kind: "shared-object", errno: ENOENT))
        XCTAssertEqual(error?.description, "cannot inspect shared-object plug-in \(path): No such file or directory; check the path and that ccgd may read it.")
    }

    func testRelativePathIsRefusedBeforeTheLoaderSearchesForIt() {
        let error = loadError("libsample_c_plugin.so")
        XCTAssertEqual(error, .relativePath(path: "libsample_c_plugin.so", kind: "shared-object"))
        XCTAssertEqual(error?.description, "shared-object plug-in path libsample_c_plugin.so is not absolute; give the full path of the plug-in.")
    }

    // MARK: the directory

    func testWorldWritableDirectoryIsRefused() throws {
        let path = try directory.cSample()
        XCTAssertEqual(chmod(directory.path, 0o1777), 0)
        let error = loadError(path)
        XCTAssertEqual(error, .directoryWritableByOthers(directory: directory.path, path: path, kind: "shared-object", mode: 0o1777))
        XCTAssertEqual(
            error?.description,
            "the directory \(directory.path) of shared-object plug-in \(path) is writable by group or others (mode 1777); move the plug-in to a directory only root may write to."
        )
    }

    func testDirectoryNotOwnedByRootIsRefused() throws {
        try requireRoot()
        let path = try directory.cSample()
        XCTAssertEqual(chown(directory.path, 1, 1), 0)
        let error = loadError(path)
        XCTAssertEqual(error, .directoryNotOwnedByRoot(directory: directory.path, path: path, kind: "shared-object", uid: 1))
        XCTAssertEqual(
            error?.description,
            "the directory \(directory.path) of shared-object plug-in \(path) is owned by uid 1, not root; move the plug-in to a directory only root may write to."
        )
    }

    func testAncestorWritableByOthersIsRefusedNamingIt() throws {
        let open = directory.path + "/open"
        XCTAssertEqual(mkdir(open, 0o777), 0)
        XCTAssertEqual(chmod(open, 0o777), 0)
        XCTAssertEqual(mkdir(open + "/lib", 0o755), 0)
        let built = try directory.cSample()
        let path = open + "/lib/libsample_c_plugin.so"
        XCTAssertEqual(rename(built, path), 0)
        let error = loadError(path)
        XCTAssertEqual(error, .ancestorWritableByOthers(directory: open, path: path, kind: "shared-object", mode: 0o777))
        XCTAssertEqual(
            error?.description,
            "the directory \(open) above shared-object plug-in \(path) is writable by group or others without the sticky bit (mode 777), so anyone could swap what lies below it; run chmod go-w \(open), or keep plug-ins under directories only root may write to."
        )
    }

    func testAncestorNotOwnedByRootIsRefused() throws {
        try requireRoot()
        let owned = directory.path + "/owned"
        XCTAssertEqual(mkdir(owned, 0o755), 0)
        XCTAssertEqual(mkdir(owned + "/lib", 0o755), 0)
        let path = owned + "/lib/libsample_c_plugin.so"
        XCTAssertEqual(rename(try directory.cSample(), path), 0)
        XCTAssertEqual(chown(owned, 1, 1), 0)
        XCTAssertEqual(loadError(path), .ancestorNotOwnedByRoot(directory: owned, path: path, kind: "shared-object", uid: 1))
    }

    func testSymbolicLinkIsCheckedInItsOwnDirectoryAndInItsTargets() throws {
        let target = try directory.cSample()
        let open = directory.path + "/open", closed = directory.path + "/closed"
        XCTAssertEqual(mkdir(open, 0o777), 0)
        XCTAssertEqual(chmod(open, 0o777), 0)
        XCTAssertEqual(mkdir(closed, 0o755), 0)
        XCTAssertEqual(symlink(target, open + "/link.so"), 0)
        XCTAssertEqual(
            loadError(open + "/link.so"),
            .directoryWritableByOthers(directory: open, path: open + "/link.so", kind: "shared-object", mode: 0o777))
        let exposed = open + "/libexposed.so"
        XCTAssertEqual(rename(target, exposed), 0)
        XCTAssertEqual(symlink(exposed, closed + "/link.so"), 0)
        XCTAssertEqual(
            loadError(closed + "/link.so"),
            .directoryWritableByOthers(directory: open, path: closed + "/link.so", kind: "shared-object", mode: 0o777))
    }

    // MARK: the shared object

    func testTextFileGivesTheDynamicLoaderMessage() throws {
        let path = try directory.file("libnotes.so", String(repeating: "not a shared object, just some text\n", count: 4))
        let error = loadError(path)
        XCTAssertEqual(error, .notLoadable(path: path, reason: "\(path): invalid ELF header"))
        XCTAssertEqual(
            error?.description,
            "cannot load shared-object plug-in \(path): invalid ELF header; check that it is a shared object built for this system, with its libraries installed."
        )
    }

    func testMissingEntryPointIsRefused() throws {
        let path = try directory.cSample("libno_entry.so", defines: ["CCGD_SAMPLE_NO_ENTRY"])
        let error = loadError(path)
        XCTAssertEqual(error, .missingEntryPoint(path: path))
        XCTAssertEqual(
            error?.description,
            "shared-object plug-in \(path) does not export ccgd_plugin_entry; define it as ccgd_plugin.h says, or export it with CCGPlugin's PluginExport.")
    }

    func testNullFromTheEntryPointIsRefused() throws {
        let path = try directory.cSample("librefuses.so", defines: ["CCGD_SAMPLE_REFUSE_HOST"])
        let error = loadError(path)
        XCTAssertEqual(error, .refusedHostVersion(path: path, hostVersion: 1))
        XCTAssertEqual(
            error?.description,
            "shared-object plug-in \(path) refused ccgd's plug-in ABI version 1 (ccgd_plugin_entry returned NULL); rebuild it against ccgd_plugin.h of this ccgd or use a plug-in made for it."
        )
    }

    func testWrongABIVersionIsRefusedNamingBothVersions() throws {
        let path = try directory.cSample("libabi2.so", defines: ["CCGD_SAMPLE_ABI_VERSION=2"])
        let error = loadError(path)
        XCTAssertEqual(error, .unsupportedVersion(path: path, version: 2, hostVersion: 1))
        XCTAssertEqual(
            error?.description,
            "shared-object plug-in \(path) speaks plug-in ABI version 2, but ccgd speaks version 1; rebuild it against ccgd_plugin.h of this ccgd.")
    }

    func testTooSmallTableIsRefused() throws {
        let path = try directory.cSample("libshort.so", defines: ["CCGD_SAMPLE_STRUCT_SIZE=16"])
        let error = loadError(path)
        XCTAssertEqual(error, .tableTooSmall(path: path, size: 16, expected: 40))
        XCTAssertEqual(
            error?.description,
            "shared-object plug-in \(path) returned a plug-in table of 16 bytes, smaller than the 40 bytes of ABI version 1; rebuild it against ccgd_plugin.h of this ccgd."
        )
    }

    func testTableWithoutFunctionIsRefused() throws {
        let path = try directory.cSample("libno_function.so", defines: ["CCGD_SAMPLE_NO_FUNCTION"])
        let error = loadError(path)
        XCTAssertEqual(error, .missingFunction(path: path, function: "get_password_credentials"))
        XCTAssertEqual(
            error?.description,
            "shared-object plug-in \(path) returned a plug-in table without get_password_credentials; set every function of struct ccgd_plugin_v1.")
    }
}

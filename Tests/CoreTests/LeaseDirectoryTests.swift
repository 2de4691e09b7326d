import DurableFiles
import Foundation
import KerberosKeys
import TestSupport
import XCTest
@testable import DomainModel
@testable import LeaseService

/// A lease directory belongs to its owner once written: what the owner puts there is never
/// followed, and deleting the lease still removes it.
final class LeaseDirectoryTests: XCTestCase {
    private var root = ""
    private var leases: String { root + "/leases" }
    private var outside: String { root + "/outside" }

    override func setUpWithError() throws {
        root = try temporaryDirectory("lease-directory", creating: ["leases", "outside"])
        try "outside".write(toFile: outside + "/file", atomically: false, encoding: .utf8)
    }

    private func created() throws -> LeaseDirectory {
        let directory = LeaseDirectory(path: leases + "/" + LeaseID().value, owner: LeaseOwner(uid: 1000, gid: 1000))
        try directory.create(
            keytab: SecretBytes(Array("keytab".utf8)), ticketCaches: [(name: "krb5cc", bytes: SecretBytes(Array("cc".utf8)))],
            kerberosConfiguration: "[libdefaults]\n")
        return directory
    }

    private func rewrite(_ directory: LeaseDirectory) throws {
        try directory.write(
            keytab: SecretBytes(Array("new keytab".utf8)), ticketCaches: [(name: "krb5cc", bytes: SecretBytes(Array("new cc".utf8)))],
            kerberosConfiguration: "[libdefaults]\n")
    }

    private var outsideUntouched: Bool {
        (try? FileManager.default.contentsOfDirectory(atPath: outside)) == ["file"]
            && (try? String(contentsOfFile: outside + "/file", encoding: .utf8)) == "outside"
    }

    func testDeleteRemovesWhateverTheOwnerPutThere() throws {
        let directory = try created()
        try FileManager.default.createDirectory(atPath: directory.path + "/sub/deeper", withIntermediateDirectories: true)
        try "x".write(toFile: directory.path + "/sub/deeper/file", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory.path + "/locked", withIntermediateDirectories: true)
        XCTAssertEqual(chmod(directory.path + "/locked", 0), 0)
        XCTAssertEqual(mkfifo(directory.path + "/fifo", 0o600), 0)
        XCTAssertEqual(symlink(outside, directory.path + "/escape"), 0)
        try directory.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path))
        XCTAssertTrue(outsideUntouched)
    }

    func testDeleteOfADirectoryReplacedByASymlinkLeavesItsTarget() throws {
        let directory = try created()
        try FileManager.default.removeItem(atPath: directory.path)
        XCTAssertEqual(symlink(outside, directory.path), 0)
        try directory.remove()
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: directory.path))
        XCTAssertTrue(outsideUntouched)
    }

    func testRewriteRefusesADirectoryReplacedByASymlink() throws {
        let directory = try created()
        try FileManager.default.removeItem(atPath: directory.path)
        XCTAssertEqual(symlink(outside, directory.path), 0)
        XCTAssertThrowsError(try rewrite(directory)) {
            XCTAssertEqual($0 as? DirectoryHandleError, .notADirectory(path: directory.path))
        }
        XCTAssertTrue(outsideUntouched)
    }

    func testRewriteReplacesSymlinksAtTheFileNamesWithoutFollowingThem() throws {
        let directory = try created()
        for name in [LeaseDirectory.keytab, LeaseDirectory.ticketCache, LeaseDirectory.kerberosConfiguration] {
            try FileManager.default.removeItem(atPath: directory.path + "/" + name)
            XCTAssertEqual(symlink(outside + "/file", directory.path + "/" + name), 0)
        }
        try rewrite(directory)
        XCTAssertEqual(try String(contentsOfFile: directory.path + "/krb5.keytab", encoding: .utf8), "new keytab")
        XCTAssertEqual(try String(contentsOfFile: directory.path + "/krb5cc", encoding: .utf8), "new cc")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/krb5cc"))
        XCTAssertTrue(outsideUntouched)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/krb5cc")
        XCTAssertEqual(attributes[.ownerAccountID] as? Int, 1000)
        XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o600)
    }

    func testTicketCacheNamesAreSingleFileNames() {
        XCTAssertEqual(LeaseDirectory.ticketCacheName(index: 0, account: "../../etc/passwd"), "krb5cc")
        XCTAssertEqual(LeaseDirectory.ticketCacheName(index: 1, account: "WebApp02$"), "krb5cc-WebApp02")
        for account in ["../../etc/passwd$", "..", ".", "a/b", "x\0y", "with space", "%2F", "Ünïcode$", "/"] {
            let name = LeaseDirectory.ticketCacheName(index: 1, account: account)
            XCTAssertTrue(name.hasPrefix("krb5cc-"), name)
            XCTAssertFalse(name.contains("/") || name.utf8.contains(0), name)
            XCTAssertTrue(name.allSatisfy { $0.isASCII }, name)
        }
        // Escaping keeps distinct names distinct.
        XCTAssertNotEqual(LeaseDirectory.ticketCacheName(index: 1, account: "a/b"), LeaseDirectory.ticketCacheName(index: 1, account: "a%2Fb"))
    }
}

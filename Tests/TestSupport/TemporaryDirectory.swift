import Foundation
import XCTest

/// A fresh directory of the test's own under the system's temporary directory, named
/// `ccgd-PURPOSE-XXXXXXXX` (short: a Unix socket's path in it must stay under 108 bytes), made with
/// the usual mode (0755 under the usual umask, so that peers of other uids can reach a socket in
/// it), and removed with everything in it by `remove()` or when the last reference goes: keep it
/// in a stored property (or use `temporaryDirectory(_:)` in a test), never only its `path`.
package final class TemporaryDirectory: Sendable {
    package let path: String

    /// Makes the directory (with `mode`, when given) and `subdirectories` (relative paths, parents
    /// included) in it.
    package init(_ purpose: String, mode: Int? = nil, creating subdirectories: [String] = []) throws {
        var base = NSTemporaryDirectory()
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        path = base + "/ccgd-\(purpose)-\(UUID().uuidString.prefix(8))"
        // Not withIntermediateDirectories: a name already taken is an error, never a shared directory.
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false,
            attributes: mode.map { [.posixPermissions: $0] })
        for subdirectory in subdirectories {
            try FileManager.default.createDirectory(atPath: path + "/" + subdirectory, withIntermediateDirectories: true)
        }
    }

    /// Removes the directory and all it holds; safe to call twice.
    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { remove() }
}

extension XCTestCase {
    /// The path of a fresh `TemporaryDirectory` removed when the test ends, passed or failed (after
    /// the test's teardown blocks registered later and before its `tearDown`).
    package func temporaryDirectory(_ purpose: String, mode: Int? = nil, creating subdirectories: [String] = []) throws -> String {
        let directory = try TemporaryDirectory(purpose, mode: mode, creating: subdirectories)
        addTeardownBlock { directory.remove() }
        return directory.path
    }
}

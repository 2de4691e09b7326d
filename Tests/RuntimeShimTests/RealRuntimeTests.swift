import JSON
import Foundation
import TestSupport
import XCTest

@testable import ccgd_runtime

/// Which program the shim hands over to, and where its failures are written.
final class RealRuntimeTests: XCTestCase {
    func testTheRuntimeIsFoundOnThePathInItsOrder() throws {
        let directory = try temporaryDirectory("path")
        for (name, mode) in [("a/runc", 0o644), ("b/runc", 0o755), ("c/runc", 0o755)] {
            try FileManager.default.createDirectory(atPath: directory + "/" + name.split(separator: "/")[0], withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: mode])
        }
        let runtime = try RealRuntime(named: nil, searchPath: "\(directory)/missing:\(directory)/a:\(directory)/b:\(directory)/c")
        XCTAssertEqual(runtime.path, directory + "/b/runc", "the first executable one")
    }

    func testAMissingRuntimeSaysWhatToDo() {
        XCTAssertThrowsError(try RealRuntime(named: nil, searchPath: "/nonexistent")) { error in
            XCTAssertEqual(
                "\(error)", "cannot find the OCI runtime runc on the PATH (/nonexistent); install runc or give the runtime's path with --ccgd-runtime.")
        }
        XCTAssertThrowsError(try RealRuntime(named: "/nonexistent/crun", searchPath: nil)) { error in
            XCTAssertEqual(
                "\(error)",
                "the OCI runtime /nonexistent/crun (--ccgd-runtime) is not an executable file other than ccgd-runtime itself; give the real runtime's path.")
        }
    }

    /// A shim installed as `runc` ahead of the real one must not exec itself forever.
    func testTheShimItselfIsNeverTheRuntime() throws {
        let this = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        XCTAssertThrowsError(try RealRuntime(named: this.path, searchPath: nil))
        let found = try? RealRuntime(named: this.lastPathComponent, searchPath: this.deletingLastPathComponent().path)
        XCTAssertNil(found, "the only candidate on the PATH is this process's own file")
    }

    func testAFailureGoesToRuncsLogInItsJSONFormatWhereContainerdReadsIt() throws {
        let file = try temporaryDirectory("runtime-log") + "/log.json"
        RuntimeLog(file: file, format: "json").error("container c1: a \"quoted\"\nfailure")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let record = try JSONValue(parsing: Data(lines[0].utf8))
        XCTAssertEqual(record.member("level")?.text, "error")
        XCTAssertEqual(record.member("msg")?.text, "ccgd-runtime: container c1: a \"quoted\" failure")
        XCTAssertNotNil(record.member("time")?.text?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/))
    }

    func testAFailureInRuncsTextFormatIsOneLogfmtLine() throws {
        let file = try temporaryDirectory("runtime-log") + "/log"
        RuntimeLog(file: file, format: nil).error("container c1: broken")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertNotNil(text.wholeMatch(of: /time="[0-9T:Z-]+" level=error msg="ccgd-runtime: container c1: broken"\n/), text)
    }
}

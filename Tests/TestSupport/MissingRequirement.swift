import Foundation
import XCTest

/// What a test throws when this machine lacks something it needs (the test domain, Podman, a
/// tool): a skip that says how to install it, and also a failure under CCGD_REQUIRE_TESTDOMAIN=1
/// (set by scripts/test and CI, where nothing may be missing).
package func missingRequirement(_ message: String, file: StaticString = #filePath, line: UInt = #line) -> XCTSkip {
    if ProcessInfo.processInfo.environment["CCGD_REQUIRE_TESTDOMAIN"] == "1" { XCTFail(message, file: file, line: line) }
    return XCTSkip(message)
}

import XCTest
final class PlaceholderCredentialGuardTests: XCTestCase { func testNothing() {} }

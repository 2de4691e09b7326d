import XCTest
final class PlaceholderCredSpecTests: XCTestCase { func testNothing() {} }

import XCTest
final class PlaceholderManagedPasswordTests: XCTestCase { func testNothing() {} }

import XCTest
final class PlaceholderKerberosTests: XCTestCase { func testNothing() {} }

@testable import Directory
import XCTest

/// Every account name reaches a filter escaped (RFC 4515): a CredSpec's names are hostile input.
final class SearchFilterTests: XCTestCase {
    func testOneValueIsOneEqualityClause() {
        XCTAssertEqual(SearchFilter.anyOf("sAMAccountName", equals: ["WebApp01$"]), "(sAMAccountName=WebApp01$)")
    }

    func testSeveralValuesBecomeOneOrClause() {
        XCTAssertEqual(SearchFilter.anyOf("sAMAccountName", equals: ["A$", "B$"]), "(|(sAMAccountName=A$)(sAMAccountName=B$))")
    }

    func testNoValueMatchesNothing() {
        XCTAssertEqual(SearchFilter.anyOf("sAMAccountName", equals: []), "(!(objectClass=*))")
    }

    func testANameCannotAddAClauseOfItsOwn() {
        // Without escaping this would widen the search to every account: "x)(sAMAccountName=*".
        let filter = SearchFilter.anyOf("sAMAccountName", equals: ["x)(sAMAccountName=*", "y"])
        XCTAssertEqual(filter, "(|(sAMAccountName=x\\29\\28sAMAccountName=\\2a)(sAMAccountName=y))")
    }

    func testNULAndBackslashAreEscaped() {
        XCTAssertEqual(SearchFilter.equals("cn", "a\u{0}b\\c"), "(cn=a\\00b\\5cc)")
    }

    func testDistinguishedNamesKeepTheirOwnEscapesUnderTheFilters() {
        // A DN's "\," is two characters of the value: the backslash is escaped once more (RFC 4515 over RFC 4514).
        XCTAssertEqual(SearchFilter.equals("distinguishedName", "CN=A\\,B,DC=x"), "(distinguishedName=CN=A\\5c,B,DC=x)")
    }

    func testManagedServiceAccountFilterAsksForGMSAsByTheirDollarNames() {
        XCTAssertEqual(
            DirectoryConnection.managedServiceAccountFilter(["WebApp01", "WebApp02$"]),
            "(&(objectClass=msDS-GroupManagedServiceAccount)(|(sAMAccountName=WebApp01$)(sAMAccountName=WebApp02$)))")
        XCTAssertEqual(
            DirectoryConnection.managedServiceAccountFilter(["*"]),
            "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=\\2a$))")
    }
}

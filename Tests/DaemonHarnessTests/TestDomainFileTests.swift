import DaemonHarness
import Foundation
import TestSupport
import XCTest

/// testdomain.env as scripts/testdomain writes it, read once for the integration tests and ccgd-bench.
final class TestDomainFileTests: XCTestCase {
    func testKeysAndValuesAreReadValuesKeepingTheirEqualsSigns() throws {
        let directory = try temporaryDirectory("testdomain")
        try "CCGD_TD_REALM=CONTOSO.TEST\nCCGD_TD_GMSAS=WebApp01,WebApp02\n# a comment\nCCGD_TD_DOMAIN_DN=DC=contoso,DC=test\nCCGD_TD_EMPTY=\n"
            .write(toFile: directory + "/testdomain.env", atomically: true, encoding: .utf8)
        let file = try XCTUnwrap(TestDomainFile(directory: directory))
        XCTAssertEqual(file["REALM"], "CONTOSO.TEST")
        XCTAssertEqual(file["DOMAIN_DN"], "DC=contoso,DC=test")
        XCTAssertEqual(file["GMSAS"], "WebApp01,WebApp02")
        XCTAssertEqual(file["MISSING"], "")
        XCTAssertEqual(file.settings["CCGD_TD_REALM"], "CONTOSO.TEST")
        XCTAssertEqual(try file.required("REALM"), "CONTOSO.TEST")
        XCTAssertThrowsError(try file.required("EMPTY")) { error in
            XCTAssertEqual("\(error)", "\(directory)/testdomain.env has no CCGD_TD_EMPTY; run scripts/testdomain up again.")
        }
    }

    func testNoFileIsNoDomain() throws {
        XCTAssertNil(TestDomainFile(directory: try temporaryDirectory("testdomain")))
    }

    func testTheDaemonSectionIsLeftOutOfTheDomainsConfiguration() throws {
        let path = try temporaryDirectory("conf") + "/ccgd.conf"
        try
            "[daemon]\nsocket = /x\n\n[plugins]\ncredentials-directory = /c\n  [daemon]\nlog-level = debug\n[domain \"CONTOSO.TEST\"]\ncontrollers = dc=1.2.3.4\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try DaemonConfiguration.sectionsOtherThanDaemon(ofFile: path),
            "[plugins]\ncredentials-directory = /c\n[domain \"CONTOSO.TEST\"]\ncontrollers = dc=1.2.3.4\n")
    }
}

import Foundation
import XCTest

@testable import ccgd_bench

/// The pure parts of ccgd-bench: the LDIF the command chain's `derive` reads, the statistics of
/// the table, and the figures `compare` reads from `ccgd-bench latency`'s report.
final class BenchParsingTests: XCTestCase {
    func testLDIFJoinsFoldedLinesAndKeepsBase64Encoded() throws {
        // RFC 2849: a line starting with one space continues the previous one; "::" is base64.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).ldif").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try """
        dn: CN=WebApp01,CN=Managed Service Accounts,DC=contoso,DC=test
        msDS-ManagedPassword:: AQAAACIB
         AAAQAAAA
        msDS-KeyVersionNumber: 7

        dn: CN=Other,DC=contoso,DC=test
        msDS-KeyVersionNumber: 9

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let attributes = try LDIFAttributes(contentsOf: file)
        XCTAssertEqual(attributes.values["msDS-ManagedPassword"], "AQAAACIBAAAQAAAA")
        XCTAssertEqual(attributes.values["msDS-KeyVersionNumber"], "7", "only the first entry counts")
        XCTAssertEqual(attributes.values["dn"], "CN=WebApp01,CN=Managed Service Accounts,DC=contoso,DC=test")
    }

    func testMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        let samples = Samples(durations: [.milliseconds(40), .milliseconds(10), .milliseconds(30), .milliseconds(20)])
        XCTAssertEqual(samples.median, 25, accuracy: 1e-9)
        XCTAssertEqual(samples.minimum, 10, accuracy: 1e-9)
        XCTAssertEqual(samples.maximum, 40, accuracy: 1e-9)
    }

    func testMedianOfAnOddCountIsTheMiddleOne() {
        let samples = Samples(durations: [.microseconds(3500), .milliseconds(1), .milliseconds(90)])
        XCTAssertEqual(samples.median, 3.5, accuracy: 1e-9)
    }

    func testFiguresAreReadFromTheLatencyReport() {
        let report = """
            cached lease latency  p50 4.265 ms  p90 12.269 ms  p99 21.353 ms  max 27.139 ms
            throughput            677 leases/s
            RSS at 397 leases  33 MB: 3.24 kB per lease
            RSS at 9999 leases  30 MB: -0.12 kB per lease
            """
        XCTAssertEqual(CompareRun.number(after: "throughput", in: report), 677)
        XCTAssertEqual(CompareRun.number(after: "p99", in: report), 21.353)
        XCTAssertEqual(CompareRun.number(before: "kB per lease", in: report), 3.24)
        XCTAssertNil(CompareRun.number(after: "private", in: report))
    }
}

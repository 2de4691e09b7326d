@testable import Directory
import TestSupport
import XCTest

final class ServiceRecordTests: XCTestCase {
    func testLowerPriorityComesFirstWhateverTheWeight() {
        let records = [
            ServiceRecord(priority: 10, weight: 100, port: 389, target: "backup.contoso.com"),
            ServiceRecord(priority: 0, weight: 1, port: 389, target: "dc1.contoso.com"),
            ServiceRecord(priority: 5, weight: 0, port: 389, target: "dc2.contoso.com"),
        ]
        var generator = SplitMix64(state: 1)
        XCTAssertEqual(
            ServiceRecord.ordered(records, using: &generator).map(\.target),
            ["dc1.contoso.com", "dc2.contoso.com", "backup.contoso.com"])
    }

    func testWeightsShareTheFirstPlaceInProportion() {
        let records = [
            ServiceRecord(priority: 0, weight: 75, port: 389, target: "a"),
            ServiceRecord(priority: 0, weight: 25, port: 389, target: "b"),
        ]
        var generator = SplitMix64(state: 42)
        var first = ["a": 0, "b": 0]
        for _ in 0..<10_000 { first[ServiceRecord.ordered(records, using: &generator)[0].target]! += 1 }
        XCTAssertEqual(Double(first["a"]!) / 10_000, 0.75, accuracy: 0.03)
        XCTAssertEqual(ServiceRecord.ordered(records, using: &generator).count, 2, "every record is kept")
    }

    func testZeroWeightsStillYieldEveryRecord() {
        let records = (0..<4).map { ServiceRecord(priority: 0, weight: 0, port: 389, target: "dc\($0)") }
        var generator = SplitMix64(state: 7)
        XCTAssertEqual(Set(ServiceRecord.ordered(records, using: &generator).map(\.target)), ["dc0", "dc1", "dc2", "dc3"])
    }

    func testSRVAnswerDataIsRead() {
        let record = AnswerRecord(type: 33, data: [0, 5, 0, 100, 1, 133, 0], target: "dc1.contoso.com")
        XCTAssertEqual(ServiceRecord(record), ServiceRecord(priority: 5, weight: 100, port: 389, target: "dc1.contoso.com"))
        XCTAssertNil(ServiceRecord(AnswerRecord(type: 33, data: [0, 5], target: "x")), "truncated")
        XCTAssertNil(ServiceRecord(AnswerRecord(type: 33, data: [0, 0, 0, 0, 0, 0, 0], target: ".")), "RFC 2782: . means no service")
        XCTAssertEqual(AnswerRecord(type: 1, data: [127, 0, 0, 1], target: nil).ipv4Address, "127.0.0.1")
    }
}

import Foundation
import XCTest

@testable import ccgd_bench

/// The soak's judgement (SoakVerdict) and its clock file (DomainClock), without a daemon.
final class SoakTests: XCTestCase {
    /// Samples every 10 s for `minutes`, resident memory from `resident(seconds)`.
    private func samples(minutes: Int, journal: (Double) -> Int = { _ in 1000 }, resident: (Double) -> Int) -> [SoakSample] {
        stride(from: 0.0, through: Double(minutes * 60), by: 10).map { seconds in
            var sample = SoakSample()
            sample.seconds = seconds
            sample.residentKB = resident(seconds)
            sample.anonymousKB = resident(seconds) / 4
            sample.descriptors = 27
            sample.threads = 8
            sample.journalBytes = journal(seconds)
            return sample
        }
    }

    func testAFlatRunPassesAndAStepAfterTheWarmUpFails() {
        // Noise within the bound, and a step during the warm-up (caches filling), pass.
        let flat = samples(minutes: 30) { $0 < 200 ? 30_000 : 38_000 + Int($0) % 3 * 500 }
        XCTAssertTrue(SoakVerdict(samples: flat, warmUp: 300, window: 300, failures: 0).passed)
        // 13 MB more after the first compaction (what the soak found before HeapMemory) fails.
        let step = samples(minutes: 30) { $0 < 460 ? 38_700 : 51_900 }
        let verdict = SoakVerdict(samples: step, warmUp: 300, window: 300, failures: 0)
        XCTAssertFalse(verdict.passed)
        XCTAssertTrue(verdict.lines.contains { $0.hasPrefix("resident memory: 38700 → 51900 kB") && $0.hasSuffix("GREW") }, "\(verdict.lines)")
    }

    func testOneFailedRequestOrATooShortRunFails() {
        let flat = samples(minutes: 30) { _ in 38_000 }
        XCTAssertFalse(SoakVerdict(samples: flat, warmUp: 300, window: 300, failures: 1).passed)
        let short = samples(minutes: 8) { _ in 38_000 }
        let verdict = SoakVerdict(samples: short, warmUp: 300, window: 300, failures: 0)
        XCTAssertFalse(verdict.passed)
        XCTAssertTrue(verdict.lines.last?.hasPrefix("too short to judge") == true, "\(verdict.lines)")
    }

    func testTheJournalMayGrowBetweenCompactionsButItsPeaksMayNot() {
        // A sawtooth: compacted every 7.5 minutes, back to 1 MB.
        let sawtooth: (Double) -> Int = { 1_000_000 + Int($0.truncatingRemainder(dividingBy: 450) * 9_000) }
        XCTAssertTrue(SoakVerdict(samples: samples(minutes: 30, journal: sawtooth) { _ in 38_000 }, warmUp: 300, window: 300, failures: 0).passed)
        // Never compacted: the second half's peak is far above the first's.
        let growing = samples(minutes: 30, journal: { 1_000_000 + Int($0) * 9_000 }) { _ in 38_000 }
        XCTAssertFalse(SoakVerdict(samples: growing, warmUp: 300, window: 300, failures: 0).passed)
    }

    func testTheClockFileIsReadInItsUnitsAndOnlyMovesForward() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("clock-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let clock = DomainClock(file: file, library: "/nonexistent")
        for (text, hours) in [("+0", 0), ("+21h", 21), ("+2d", 48), ("+90m", 1), ("+7200", 2)] {
            try "\(text)\n".write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try clock.offsetHours(), hours, text)
        }
        try "+21h\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try clock.advance(hours: 24), 45)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "+45h\n")
        try "yesterday\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try clock.offsetHours()) { XCTAssertTrue("\($0)".contains("not an offset such as +0 or +21h"), "\($0)") }
    }
}

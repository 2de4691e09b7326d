/// Whether a soak's daemon stayed flat: after the warm-up, the last minutes' medians of memory,
/// descriptors and threads compared with the first minutes', and the lease journal's peaks in
/// the second half of the run compared with the first half's (it grows between compactions by
/// design, so its peaks are what must not grow). The bounds are stated here and in
/// docs/performance.md, chosen before the run: 1,000 leases of ≤ 1.5 kB each are 1.5 MB, so
/// 4 MB of resident growth is well past anything but a leak.
struct SoakVerdict {
    static let residentGrowthKB = 4096
    static let descriptorGrowth = 4
    static let threadGrowth = 2
    static let journalPeakGrowth = 1.25

    let lines: [String]
    let passed: Bool

    init(samples: [SoakSample], warmUp: Double, window: Double, failures: Int) {
        var lines: [String] = []
        var passed = failures == 0
        lines.append("failed requests: \(failures) (bound 0)")
        let steady = samples.filter { $0.seconds >= warmUp }
        guard let last = steady.last?.seconds, last - warmUp >= 2 * window else {
            self.lines = lines + ["too short to judge: \(Int(steady.last?.seconds ?? 0)) s sampled, warm-up \(Int(warmUp)) s, windows of \(Int(window)) s"]
            self.passed = false
            return
        }
        let early = steady.filter { $0.seconds < warmUp + window }
        let late = steady.filter { $0.seconds > last - window }
        func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
        func check(_ name: String, _ value: (SoakSample) -> Int, bound: Int, unit: String) {
            let before = median(early.map(value)), after = median(late.map(value))
            let ok = after - before <= bound
            passed = passed && ok
            lines.append(
                "\(name): \(before) → \(after) \(unit) (median of the first and last \(Int(window)) s after warm-up; growth bound \(bound)) \(ok ? "flat" : "GREW")"
            )
        }
        check("resident memory", \.residentKB, bound: Self.residentGrowthKB, unit: "kB")
        check("anonymous memory", \.anonymousKB, bound: Self.residentGrowthKB, unit: "kB")
        check("open descriptors", \.descriptors, bound: Self.descriptorGrowth, unit: "")
        check("threads", \.threads, bound: Self.threadGrowth, unit: "")
        let middle = warmUp + (last - warmUp) / 2
        let firstPeak = steady.filter { $0.seconds < middle }.map(\.journalBytes).max() ?? 0
        let secondPeak = steady.filter { $0.seconds >= middle }.map(\.journalBytes).max() ?? 0
        let journalOK = Double(secondPeak) <= Double(max(firstPeak, 1)) * Self.journalPeakGrowth
        passed = passed && journalOK
        lines.append(
            "lease journal peak: \(firstPeak) → \(secondPeak) bytes (first and second half after warm-up; bound ×\(Self.journalPeakGrowth)) \(journalOK ? "flat" : "GREW")"
        )
        self.lines = lines
        self.passed = passed
    }
}

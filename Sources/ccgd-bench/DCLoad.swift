import Foundation

/// Samples the DC's CPU time at a fixed interval until cancelled.
actor DCLoadSampler {
    private let time: DCProcessTime
    private(set) var samples: [(at: ContinuousClock.Instant, cpu: Duration)] = []

    init(time: DCProcessTime) {
        self.time = time
    }

    func run(every interval: Duration) async {
        while !Task.isCancelled {
            samples.append((ContinuousClock.now, time.now()))
            try? await Task.sleep(for: interval)
        }
        samples.append((ContinuousClock.now, time.now()))
    }
}

/// What the DC spent during a storm, from its CPU-time samples.
struct DCLoad {
    /// CPU seconds from the first sample to the last.
    let total: Double
    /// The highest CPU share over any one-second span (1.0 = one core busy all the time).
    let peakShare: Double

    init(_ samples: [(at: ContinuousClock.Instant, cpu: Duration)]) {
        let points = samples.map { (seconds: ($0.at - (samples.first?.at ?? $0.at)).secondsValue, cpu: $0.cpu.secondsValue) }
        self.init(points: points)
    }

    /// `points`: seconds since the first sample and the DC's CPU seconds then, in order.
    init(points: [(seconds: Double, cpu: Double)]) {
        total = (points.last?.cpu ?? 0) - (points.first?.cpu ?? 0)
        var peak = 0.0
        // Each sample against the first one at least a second before it: the share over that span.
        var start = 0
        for end in points.indices {
            while start + 1 < end && points[end].seconds - points[start + 1].seconds >= 1 { start += 1 }
            let span = points[end].seconds - points[start].seconds
            if span >= 1 { peak = max(peak, (points[end].cpu - points[start].cpu) / span) }
        }
        peakShare = peak
    }
}

/// One variant's figures.
struct FleetResult {
    let variant: FleetVariant
    let dc: DCLoad
    /// Seconds until each node's socket answered.
    let serving: [Double]
    /// Seconds until each node held every account it needs.
    let held: [Double]
    /// The most fetches finished in one second (from the accounts' fetch times).
    let fetchesPerSecond: Int
    let fetchesOK: Int
    let fetchesFailed: Int
    let refreshFailures: Int
    /// Latency in ms of each lease asked for during the storm; nil: failed.
    let probes: [Double?]
    let loadAverages: [String]

    /// The most times of `times` within one second (whole seconds since `start`).
    static func peakPerSecond(_ times: [Date], since start: Date) -> Int {
        var buckets: [Int: Int] = [:]
        for time in times { buckets[Int(floor(time.timeIntervalSince(start))), default: 0] += 1 }
        return buckets.values.max() ?? 0
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        // Nearest rank: the smallest value with at least p of the values at or below it.
        let sorted = values.sorted()
        let rank = Int((Double(sorted.count) * p).rounded(.up))
        return sorted[min(max(rank - 1, 0), sorted.count - 1)]
    }

    static func report(_ results: [FleetResult], plan: FleetPlan, domain: TestDomain) -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var text = """
            ccgd-bench fleet: \(plan.nodes) nodes restarted together against \(domain.controller) (\(domain.controllerAddress)); \
            each holds \(plan.leasesPerNode) lease(s) of \(plan.accounts.prefix(plan.leasesPerNode).joined(separator: ", "))\
            \(plan.eager ? "; eager prefetch of \(plan.accounts.joined(separator: ", "))" : "")\
            \(plan.unused.isEmpty ? "" : "; unused CredSpecs in the directory: \(plan.unused.joined(separator: ", "))"); \(cores) cores


            """
        text +=
            "| variant | DC CPU s (per node ms) | DC peak share (1 s) | peak fetches/s | fetches ok / failed, refresh failures | all serving s | all hold their accounts s (p50) | storm lease p50 / p99 / max ms (failed) | load avg |\n"
        text += "|---|---:|---:|---:|---:|---:|---:|---:|---|\n"
        for result in results {
            let latencies = result.probes.compactMap { $0 }
            let failed = result.probes.count - latencies.count
            let probe = [0.5, 0.99, 1.0].map { percentile(latencies, $0).map { format($0) } ?? "–" }.joined(separator: " / ")
            text += "| \(result.variant.label) | \(format(result.dc.total)) (\(format(result.dc.total * 1000 / Double(plan.nodes)))) "
            text += "| \(Int((result.dc.peakShare * 100).rounded()))% of a core (\(Int((result.dc.peakShare * 100 / Double(cores)).rounded()))% of \(cores)) "
            text += "| \(result.fetchesPerSecond) | \(result.fetchesOK) / \(result.fetchesFailed), \(result.refreshFailures) "
            text += "| \(format(result.serving.max() ?? 0)) | \(format(result.held.max() ?? 0)) (\(format(percentile(result.held, 0.5) ?? 0))) "
            text += "| \(probe) (\(failed)) | \(result.loadAverages.joined(separator: " → ")) |\n"
        }
        text += "\n"
        for result in results {
            text +=
                "- \(result.variant.label): \(result.variant.executable)\(result.variant.daemonSettings.isEmpty ? "" : ", [daemon] " + result.variant.daemonSettings.joined(separator: "; "))\n"
        }
        text += """
            - DC CPU: user + system time of the DC's processes (/proc, 10 ms ticks) from the start of the nodes until every node held every \
            account it needs; the peak share is over any one-second span of 250 ms samples. The nodes run on the same cores as the DC.
            - fetches/s: from each account's fetchedAt (GET /v1/accounts, whole seconds); fetches and failures from each node's /metrics.
            - storm leases: one per node, at a random moment of the first \(Int(plan.probeSpan)) s, of a CredSpec it holds, timed from that \
            moment (waiting for the socket when the node is not serving yet) to the answer.
            """
        return text
    }

    static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }
}

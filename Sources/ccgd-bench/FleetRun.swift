import DaemonHarness
import Foundation
import NIOCore

/// One variant's restart: the nodes set up and warmed (their leases made, every account fetched),
/// stopped, then started together while the DC's CPU is sampled and leases are asked for.
final class FleetRun: @unchecked Sendable {
    let plan: FleetPlan
    let variant: FleetVariant
    let domain: TestDomain
    let group: EventLoopGroup
    let directory: String
    let runtimeDirectory: String
    private var nodes: [FleetNode] = []

    init(plan: FleetPlan, variant: FleetVariant, domain: TestDomain, group: EventLoopGroup, directory: String, runtimeDirectory: String) {
        self.plan = plan
        self.variant = variant
        self.domain = domain
        self.group = group
        self.directory = directory
        self.runtimeDirectory = runtimeDirectory
    }

    var credSpecDirectory: String { directory + "/credspecs" }

    func measure() async throws -> FleetResult {
        guard let dcPID = domain.dcPID else {
            throw BenchError("\(domain.directory)/samba.pid is missing: the DC's CPU cannot be measured; start it with scripts/testdomain up.")
        }
        try prepare()
        defer { for node in nodes { node.stop() } }
        log("\(variant.label): starting \(plan.nodes) nodes one by one and making \(plan.leasesPerNode) lease(s) on each")
        try await warm()
        for node in nodes { node.stop() }
        // The DC settles: the warm-up's last work is not counted in the storm.
        try await Task.sleep(for: .seconds(3))

        log("\(variant.label): starting \(plan.nodes) nodes together")
        let sampler = DCLoadSampler(time: DCProcessTime(rootPID: dcPID))
        let sampling = Task { await sampler.run(every: .milliseconds(250)) }
        let loadAtStart = CompareRun.loadAverage()
        let started = Date(), clock = ContinuousClock.now
        for node in nodes { try node.start(variant.executable) }
        let probes = Task { await self.probe(since: clock) }
        let up = await waitUntilServing(since: clock)
        let held = try await waitUntilHeld(since: clock)
        let probeLatencies = await probes.value
        sampling.cancel()
        let samples = await sampler.samples
        var fetchTimes: [Date] = [], fetchesOK = 0, fetchesFailed = 0, refreshFailures = 0
        for node in nodes {
            fetchTimes += try await node.accounts(group: group).values.compactMap { $0.fetchedAt }.filter { $0 >= started.addingTimeInterval(-1) }
            fetchesOK += try await node.counter("ccgd_account_fetches_total", label: #"result="ok""#, group: group)
            fetchesFailed +=
                try await node.counter("ccgd_account_fetches_total", group: group)
                - (try await node.counter("ccgd_account_fetches_total", label: #"result="ok""#, group: group))
            refreshFailures += try await node.counter("ccgd_refresh_failures_total", group: group)
        }
        for node in nodes { node.stop() }
        return FleetResult(
            variant: variant, dc: DCLoad(samples), serving: up, held: held, fetchesPerSecond: FleetResult.peakPerSecond(fetchTimes, since: started),
            fetchesOK: fetchesOK, fetchesFailed: fetchesFailed, refreshFailures: refreshFailures, probes: probeLatencies,
            loadAverages: [loadAtStart, CompareRun.loadAverage()])
    }

    private func log(_ text: String) {
        FileHandle.standardError.write(Data("fleet: \(text)\n".utf8))
    }

    /// The fleet's CredSpec directory (the held and unused CredSpecs of the test domain's) and
    /// each node's configuration.
    private func prepare() throws {
        try FileManager.default.createDirectory(atPath: credSpecDirectory, withIntermediateDirectories: true)
        for name in plan.accounts + plan.unused {
            let source = domain.credSpecDirectory + "/" + name + ".json"
            guard FileManager.default.fileExists(atPath: source) else {
                throw BenchError("\(source) does not exist: name CredSpecs of the test domain (scripts/testdomain add-gmsa NAME DAYS adds one).")
            }
            try? FileManager.default.removeItem(atPath: credSpecDirectory + "/" + name + ".json")
            try FileManager.default.copyItem(atPath: source, toPath: credSpecDirectory + "/" + name + ".json")
        }
        nodes = (0..<plan.nodes).map { FleetNode(index: $0, directory: directory + "/node-\($0)", runtimeDirectory: runtimeDirectory + "/node-\($0)") }
        var sections = plan.eager ? plan.accounts.map { "[credspec \"\($0)\"]\nprefetch = yes\n" }.joined(separator: "\n") : ""
        func configure() throws -> ChildProcess.Exit {
            for node in nodes {
                try node.configure(
                    domain: domain, credSpecDirectory: credSpecDirectory, daemonSettings: variant.daemonSettings,
                    credspecSections: sections)
            }
            return try ChildProcess.run(
                [variant.executable, "--check-config", "--config", nodes[0].configuration],
                environment: Compare.cleanEnvironment, stdout: nodes[0].log, stderr: nodes[0].log)
        }
        var check = try configure()
        if !check.succeeded && !sections.isEmpty {
            // A ccgd from before the opt-in prefetches its whole CredSpec directory anyway.
            log("\(variant.label): this ccgd refuses [credspec] prefetch; it runs without the opt-in (it prefetches the whole directory)")
            sections = ""
            check = try configure()
        }
        guard check.succeeded else {
            let text = (try? String(contentsOfFile: nodes[0].log, encoding: .utf8)) ?? ""
            throw BenchError("\(variant.label): \(variant.executable) refuses the nodes' configuration: \(text.suffix(400))")
        }
    }

    /// Starts the nodes a few at a time, makes each one's leases, and waits until each holds
    /// every account it needs: the state a restart finds.
    private func warm() async throws {
        let leased = Array(plan.accounts.prefix(plan.leasesPerNode))
        for batch in stride(from: 0, to: nodes.count, by: 4) {
            let part = nodes[batch..<min(batch + 4, nodes.count)]
            for node in part { try node.start(variant.executable) }
            for node in part {
                try await waitUntilAnswering(node)
                let client = try await node.client(group: group)
                for name in leased {
                    let (status, answer) = try await client.request(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "\#(name)"}"#.utf8))
                    guard status == 201 else {
                        throw BenchError(
                            "node \(node.index): a lease of \(name) failed with \(status): \(String(decoding: answer, as: UTF8.self)); see \(node.log).")
                    }
                }
                await client.close()
            }
        }
        _ = try await waitUntilHeld(since: .now)
    }

    private func waitUntilAnswering(_ node: FleetNode) async throws {
        guard let process = node.process else { throw BenchError("node \(node.index): ccgd exited at start; see \(node.log).") }
        switch await DaemonStart.wait(for: process, attempts: 3000, interval: .milliseconds(10), serves: { await node.answers(group: group) }) {
        case .serving: return
        case .exited: throw BenchError("node \(node.index): ccgd exited at start; see \(node.log).")
        case .silent: throw BenchError("node \(node.index): ccgd did not answer within 30 s; see \(node.log).")
        }
    }

    /// Seconds from `start` until each node's socket answered, in node order.
    private func waitUntilServing(since start: ContinuousClock.Instant) async -> [Double] {
        var seconds = [Double?](repeating: nil, count: nodes.count)
        while seconds.contains(where: { $0 == nil }) && (ContinuousClock.now - start) < .seconds(plan.timeout) {
            for (index, node) in nodes.enumerated() where seconds[index] == nil {
                if await node.answers(group: group) { seconds[index] = (ContinuousClock.now - start).secondsValue }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return seconds.map { $0 ?? .infinity }
    }

    /// Seconds from `start` until each node lists every account it needs as fresh (polled every
    /// second: the figure is as coarse as that).
    private func waitUntilHeld(since start: ContinuousClock.Instant) async throws -> [Double] {
        let needed = Set(plan.needed.map(FleetNode.bare))
        var seconds = [Double?](repeating: nil, count: nodes.count)
        while seconds.contains(where: { $0 == nil }) {
            guard (ContinuousClock.now - start) < .seconds(plan.timeout) else {
                throw BenchError(
                    "\(variant.label): \(seconds.count { $0 == nil }) nodes did not hold every account within \(Int(plan.timeout)) s; see their logs under \(directory)."
                )
            }
            for (index, node) in nodes.enumerated() where seconds[index] == nil {
                guard let accounts = try? await node.accounts(group: group) else { continue }
                if needed.allSatisfy({ accounts[$0]?.state == "fresh" }) { seconds[index] = (ContinuousClock.now - start).secondsValue }
            }
            try await Task.sleep(for: .seconds(1))
        }
        return seconds.map { $0! }
    }

    /// One lease per node, each at a random moment of the probe span, of one of the CredSpecs the
    /// node holds: timed from that moment to the answer, waiting for the socket if it is not up
    /// yet (a container's hook meets the same). Answers the latencies, nil for a failure.
    private func probe(since start: ContinuousClock.Instant) async -> [Double?] {
        let names = plan.needed
        return await withTaskGroup(of: Double?.self) { probes in
            for node in nodes {
                let at = start + .milliseconds(Int.random(in: 0...Int(plan.probeSpan * 1000)))
                let name = names.randomElement()!
                let group = self.group
                probes.addTask {
                    try? await Task.sleep(until: at, clock: .continuous)
                    let asked = ContinuousClock.now
                    while (ContinuousClock.now - asked) < .seconds(120) {
                        guard let client = try? await node.client(group: group) else {
                            try? await Task.sleep(for: .milliseconds(10))
                            continue
                        }
                        let answer = try? await client.request(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "\#(name)"}"#.utf8))
                        await client.close()
                        guard let (status, _) = answer, status == 201 else { return nil }
                        return (ContinuousClock.now - asked).secondsValue * 1000
                    }
                    return nil
                }
            }
            var latencies: [Double?] = []
            for await latency in probes { latencies.append(latency) }
            return latencies
        }
    }
}

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

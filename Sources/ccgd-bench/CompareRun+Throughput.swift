import DaemonHarness
import Foundation

/// Warm-lease throughput at several client counts and the daemon's memory. Throughput and
/// per-lease memory come from `ccgd-bench latency` (Bench.swift), run as a child per client count,
/// so that both commands measure the same way; idle memory from a fresh daemon of our own.
extension CompareRun {
    func throughputAndMemory() async throws {
        let daemon = try await BenchDaemon.start(daemonSetup(prefetch: false), group: group)
        try await Task.sleep(for: .seconds(1))
        let idle = try daemon.memory()
        daemon.stop()
        table.add(
            "memory", "idle RSS (VmRSS, as `ps` reports it)", .figure(String(format: "%.1f MB", Double(idle.resident) / 1024)),
            note: "fresh daemon, 1 s after /v1/health first answered, no lease")
        table.add(
            "memory", "idle private (anonymous) memory (RssAnon)", .figure(String(format: "%.1f MB", Double(idle.anonymous) / 1024)),
            note: "/proc/PID/status: heap, stacks and other anonymous pages, without shared libraries' pages")
        table.add(
            "memory", "idle private pages (Private_Clean + Private_Dirty)", .figure(String(format: "%.1f MB", Double(idle.privatePages) / 1024)),
            note: "/proc/PID/smaps_rollup: the anonymous pages and the libraries' pages only this process maps (relocated data)")

        // The socket API at 1, 16 and 64 clients; the ECS front end (gRPC, as the ECS agent
        // calls it) beside it at 1 and 16, with the same portable user through its own plug-in.
        let runs: [(clients: Int, grpc: Bool)] = [(1, false), (16, false), (64, false), (1, true), (16, true)]
        for (clients, grpc) in runs {
            let leases = clients == 1 ? min(2_000, options.leases) : options.leases
            let output = work + "/latency-\(clients)\(grpc ? "-grpc" : "").txt"
            let exit = try ChildProcess.run(
                [
                    bench, "latency", "--ccgd", options.binaries + "/ccgd", "--domain-config", domain.configurationFile,
                    "--credspecs", domain.credSpecDirectory, "--clients", String(clients), "--leases", String(leases),
                    "--credspec", account, "--directory", work + "/latency",
                    "--runtime-directory", options.runtimeDirectory + "/latency",
                ]
                    + (grpc ? ["--ecs-credentials", domain.readerCredentials] : []),
                environment: Compare.cleanEnvironment, stdout: output, stderr: output)
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let how = grpc ? "through the ECS front end (gRPC)" : "through the socket API (HTTP)"
            guard exit.succeeded, let throughput = Self.number(after: "throughput", in: text) else {
                table.add(
                    "throughput", "warm leases \(how), \(clients) client\(clients == 1 ? "" : "s")", .skipped,
                    note: "`ccgd-bench latency` failed: \(text.suffix(200).replacingOccurrences(of: "\n", with: " "))")
                continue
            }
            let p50 = Self.number(after: "p50", in: text).map { String(format: "p50 %.2f ms", $0) } ?? ""
            let p99 = Self.number(after: "p99", in: text).map { String(format: "p99 %.2f ms", $0) } ?? ""
            table.add(
                "throughput", "warm leases \(how), \(clients) keep-alive client\(clients == 1 ? "" : "s") (\(leases) leases)",
                .figure("\(Int(throughput)) leases/s"),
                note: [p50, p99].filter { !$0.isEmpty }.joined(separator: ", ") + " (`ccgd-bench latency\(grpc ? " --ecs-credentials" : "")`)")
            if clients == 16, !grpc, let perLease = Self.number(before: "kB per lease", in: text) {
                table.add(
                    "memory", "RSS per lease at \(leases) leases", .figure(String(format: "%.2f kB", perLease)),
                    note: "`ccgd-bench latency`: RSS growth from the first lease to the last, divided by the leases")
            }
        }
    }

    /// The first number after `label` in `text` ("throughput   1234 leases/s" → 1234).
    static func number(after label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        let rest = text[range.upperBound...].drop { !$0.isNumber }
        return Double(rest.prefix { $0.isNumber || $0 == "." })
    }

    /// The last number before `label` in `text` ("0.52 kB per lease" → 0.52).
    static func number(before label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        let head = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let digits = head.reversed().prefix { $0.isNumber || $0 == "." || $0 == "-" }
        return Double(String(digits.reversed()))
    }
}

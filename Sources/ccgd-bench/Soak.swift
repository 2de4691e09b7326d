import ArgumentParser
import DaemonHarness
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A long run of one ccgd against the test domain's two DCs (scripts/soak): steady lease churn
/// around a thousand live leases, tickets of a short lifetime renewed all along, the domain's
/// clock moved a day forward every few minutes (a gMSA rotation each time), the DC in use
/// restarted half-way and a reload (SIGHUP) every minute. The daemon's memory, descriptors,
/// threads, lease journal and log are sampled every few seconds into a CSV file; at the end they
/// must be flat after the warm-up (SoakVerdict) and no request may have failed.
struct Soak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run ccgd for a long time against the two-DC test domain and check that it stays flat (scripts/soak).")

    @Option(help: "The test domain's directory: two DCs (up-dc2) started with CCGD_TESTDOMAIN_CLOCK_FILE.")
    var testdomain = TestDomainFile.directory(fallback: ".testdomain")

    @Option(help: "scripts/testdomain, to restart DC1 half-way (run with this process's environment).")
    var testdomainScript = "scripts/testdomain"

    @Option(help: "The DCs' clock file (CCGD_TESTDOMAIN_CLOCK_FILE); the soak moves it forward.")
    var clockFile: String

    @Option(help: "libfaketime, preloaded into ccgd so that it shares the DCs' clock.")
    var faketimeLibrary = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

    @Option(help: "CredSpecs whose leases churn, comma-separated (gMSAs with a 1-day password interval: add-gmsa NAME 1).")
    var accounts: String

    @Option(help: "How long to run, in minutes.")
    var minutes = 30.0

    @Option(help: "Leases kept live once filled.")
    var liveLeases = 1000

    @Option(help: "Leases created (and as many ended) per second once filled.")
    var rate = 10.0

    @Option(help: "Client connections sharing the churn.")
    var clients = 4

    @Option(help: "Seconds between two moves of the domain's clock by --clock-step hours (a rotation each).")
    var rotationEvery = 300.0

    @Option(help: "Hours the clock moves at each rotation (a 1-day gMSA rolls its password every 24 h).")
    var clockStep = 24

    @Option(help: "Seconds between two reloads (SIGHUP).")
    var reloadEvery = 60.0

    @Option(help: "Seconds DC1 stays down when it is restarted half-way.")
    var dcDownFor = 60.0

    @Option(help: "[refresh] ticket-lifetime of the daemon: short, so that tickets are renewed all along.")
    var ticketLifetime = "3m"

    @Option(help: "Seconds between two samples.")
    var sampleEvery = 10.0

    @Option(help: "Seconds after the start not judged (caches, allocator arenas and the lease set fill up).")
    var warmUp = 300.0

    @Option(help: "Seconds of samples compared at the start and at the end of the judged part.")
    var window = 300.0

    @Option(help: "The samples, as CSV (one line every --sample-every seconds).")
    var output = "soak.csv"

    @Option(help: "Scratch space on a disk: configuration, state (the lease journal), socket, log.")
    var directory = "/var/tmp/ccgd-soak"

    @Option(name: .customLong("runtime-directory"), help: "Lease directories (a tmpfs, as /run is under systemd).")
    var runtimeDirectory = "/dev/shm/ccgd-soak"

    @Option(help: "The ccgd executable (default: the one next to this program).")
    var ccgd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ccgd").path

    func run() async throws {
        let directoryPath = URL(fileURLWithPath: testdomain).standardizedFileURL.path
        guard let file = TestDomainFile(directory: directoryPath) else {
            throw BenchError("cannot read \(directoryPath)/testdomain.env; start the test domain (scripts/soak does) or set --testdomain.")
        }
        let domain = try TestDomain(directory: directoryPath)
        let dc2 = try file.required("DC2"), dc2Address = try file.required("DC2_ADDRESS")
        let names = accounts.split(separator: ",").map(String.init)
        guard !names.isEmpty else { throw ValidationError("--accounts names no CredSpec.") }
        let clock = DomainClock(file: clockFile, library: faketimeLibrary)
        _ = try clock.offsetHours()
        for path in [directory, runtimeDirectory] {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        var setup = BenchDaemon.Setup(
            executable: ccgd, testDomain: domain, directory: directory, runtimeDirectory: runtimeDirectory, prefetch: nil)
        setup.environment = clock.environment
        setup.configurationText = """
            [daemon]
            socket = \(setup.socket)
            runtime-directory = \(runtimeDirectory)
            state-directory = \(directory)/state
            credspec-directory = \(domain.credSpecDirectory)

            [plugins]
            credentials-directory = \(URL(fileURLWithPath: domain.readerCredentials).deletingLastPathComponent().path)

            [domain "\(domain.realm)"]
            controllers = \(domain.controller)=\(domain.controllerAddress) \(dc2)=\(dc2Address)

            [refresh]
            ticket-lifetime = \(ticketLifetime)

            """
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let daemon = try await BenchDaemon.start(setup, group: group)
        defer { daemon.stop() }
        say("soak: ccgd pid \(daemon.process.pid) up; log \(setup.log); samples → \(output)")

        // Each account fetched once (the only uncached requests), then every request is of a cached account.
        let first = try await daemon.client()
        for name in names {
            let (status, answer) = try await first.request(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "\#(name)"}"#.utf8))
            guard status == 201, let id = (try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])?["id"] as? String else {
                throw BenchError("the first lease of \(name) failed with \(status): \(String(decoding: answer, as: UTF8.self)); see \(setup.log).")
            }
            _ = try await first.request(.DELETE, "/v1/leases/\(id)", body: nil)
        }
        let churn = SoakChurn(accounts: names, target: liveLeases, rate: rate, expiresIn: 30)
        let events = NIOLockedValueBox<[String]>([])
        let started = ContinuousClock.now
        let end = started + .seconds(minutes * 60)
        let samples = NIOLockedValueBox<[SoakSample]>([])
        try Data((SoakSample.header + "\n").utf8).write(to: URL(fileURLWithPath: output))
        let csv = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try csv.seekToEnd()
        let log = setup.log

        await withTaskGroup(of: Void.self) { tasks in
            for index in 0..<clients {
                tasks.addTask { await churn.run(client: index, of: clients, connect: { try await daemon.client() }) }
            }
            // Reloads.
            tasks.addTask {
                var next = started
                while true {
                    next += .seconds(reloadEvery)
                    guard next < end else { return }
                    try? await Task.sleep(until: next, clock: .continuous)
                    kill(daemon.process.pid, SIGHUP)
                    events.withLockedValue { $0.append("reload") }
                }
            }
            // Rotations: the domain's clock a day on.
            tasks.addTask {
                var next = started
                while true {
                    next += .seconds(rotationEvery)
                    guard next < end else { return }
                    try? await Task.sleep(until: next, clock: .continuous)
                    let event = (try? clock.advance(hours: clockStep)).map { "clock +\($0)h" } ?? "clock move FAILED"
                    events.withLockedValue { $0.append(event) }
                }
            }
            // DC1 restarted half-way.
            tasks.addTask {
                try? await Task.sleep(until: started + .seconds(minutes * 30), clock: .continuous)
                events.withLockedValue { $0.append("DC1 stopped") }
                let stopped = await runScript(["dc", "DC1", "stop"])
                try? await Task.sleep(for: .seconds(dcDownFor))
                let back = await runScript(["dc", "DC1", "start"])
                events.withLockedValue { $0.append(stopped && back ? "DC1 started" : "DC1 restart FAILED") }
            }
            // Samples.
            tasks.addTask {
                var next = started
                while next < end {
                    var sample = SoakSample()
                    sample.seconds = (ContinuousClock.now - started).secondsValue
                    try? sample.readProcess(daemon.process.pid)
                    sample.journalBytes = SoakSample.bytes(in: directory + "/state")
                    sample.logBytes = SoakSample.bytes(ofFile: log)
                    let totals = churn.totals, latencies = churn.drainLatencies()
                    sample.liveLeases = churn.live
                    (sample.created, sample.ended, sample.failures) = (totals.created, totals.ended, totals.failures)
                    sample.p50Milliseconds = latencies.quantileMilliseconds(0.5)
                    sample.p99Milliseconds = latencies.quantileMilliseconds(0.99)
                    sample.clockHours = (try? clock.offsetHours()) ?? 0
                    sample.kvnos = (try? await kvnos(daemon, names)) ?? "?"
                    sample.events = events.withLockedValue { events in
                        defer { events.removeAll() }; return events
                    }
                    samples.withLockedValue { $0.append(sample) }
                    csv.write(Data((sample.csvLine + "\n").utf8))
                    say(
                        "soak: \(Int(sample.seconds)) s rss \(sample.residentKB) kB fds \(sample.descriptors) threads \(sample.threads) journal \(sample.journalBytes) B live \(sample.liveLeases) created \(sample.created) failed \(sample.failures) p99 \(String(format: "%.1f", sample.p99Milliseconds)) ms kvno \(sample.kvnos) \(sample.events.joined(separator: ", "))"
                    )
                    next += .seconds(sampleEvery)
                    try? await Task.sleep(until: next, clock: .continuous)
                }
                churn.stop()
            }
        }
        try csv.close()

        // Every lease ends: those the churn holds now, the expiring ones on their own.
        let last = try await daemon.client()
        try await churn.endAll(on: last)
        var left = -1
        for _ in 0..<90 {
            let (_, body) = try await last.request(.GET, "/v1/leases", body: nil)
            left = ((try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["leases"] as? [Any])?.count ?? -1
            if left == 0 { break }
            try await Task.sleep(for: .seconds(1))
        }
        let totals = churn.totals
        let verdict = SoakVerdict(samples: samples.withLockedValue { $0 }, warmUp: warmUp, window: window, failures: totals.failures)
        say("soak: \(totals.created) leases created, \(totals.ended) ended by DELETE, \(left) left after the end (0 expected)")
        say(
            "soak: lease p50 \(String(format: "%.2f", totals.all.quantileMilliseconds(0.5))) ms, p99 \(String(format: "%.2f", totals.all.quantileMilliseconds(0.99))) ms, max \(String(format: "%.1f", totals.all.quantileMilliseconds(1))) ms"
        )
        for failure in totals.firstFailures { say("soak: FAILED: \(failure)") }
        for line in verdict.lines { say("soak: \(line)") }
        guard verdict.passed, left == 0 else {
            throw BenchError("the soak found a problem (see the lines above and \(setup.log)).")
        }
        say("soak: flat and no failed request")
    }

    /// Runs scripts/testdomain off the cooperative pool (it blocks for seconds); true when it succeeded.
    private func runScript(_ arguments: [String]) async -> Bool {
        let script = testdomainScript, log = directory + "/testdomain.log"
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let exit = try? ChildProcess.run([script] + arguments, environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
                continuation.resume(returning: exit?.succeeded ?? false)
            }
        }
    }

    /// "Soak01:3 Soak02:3": each account's kvno as GET /v1/accounts has it.
    private func kvnos(_ daemon: BenchDaemon, _ names: [String]) async throws -> String {
        let (_, body) = try await daemon.client().request(.GET, "/v1/accounts", body: nil)
        let list = (try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["accounts"] as? [[String: Any]] ?? []
        return list.compactMap { account -> String? in
            guard let name = account["account"] as? String, let kvno = account["kvno"] as? Int else { return nil }
            return "\(name.hasSuffix("$") ? String(name.dropLast()) : name):\(kvno)"
        }.sorted().joined(separator: " ")
    }
}

/// One line on standard output at once (unbuffered: through `tee` the progress shows as it happens).
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

import Foundation

/// The daemon's leases: fully cold, a cold account on a warm session, warm, after prefetch; then
/// the coalescing of concurrent first requests.
extension CompareRun {
    /// A fresh daemon's setup; `prefetch` is written only when this ccgd knows the key.
    func daemonSetup(prefetch: Bool) -> BenchDaemon.Setup {
        BenchDaemon.Setup(
            executable: options.binaries + "/ccgd", testDomain: domain, directory: work + "/daemon",
            runtimeDirectory: options.runtimeDirectory + "/daemon", prefetch: prefetchKnown ? prefetch : nil)
    }

    /// Whether this ccgd accepts `prefetch` in [daemon] (`ccgd --check-config`); asked once.
    var prefetchKnown: Bool {
        if let known = prefetchAccepted { return known }
        try? FileManager.default.createDirectory(atPath: work + "/daemon", withIntermediateDirectories: true)
        let setup = BenchDaemon.Setup(
            executable: options.binaries + "/ccgd", testDomain: domain, directory: work + "/daemon",
            runtimeDirectory: options.runtimeDirectory + "/daemon", prefetch: true)
        let known = (try? setup.configurationAccepted()) ?? false
        prefetchAccepted = known
        return known
    }

    func leases() async throws {
        let cold = try await measure { _ in
            let daemon = try await BenchDaemon.start(self.daemonSetup(prefetch: false), group: self.group)
            defer { daemon.stop() }
            let client = try await daemon.client()
            return try await self.timed { _ = try await BenchDaemon.lease(self.account, on: client) }
        }
        coldLease = cold
        table.add("peers and leases", "fully cold daemon lease (fresh daemon, first lease)", cold, ratio: true)

        if let second = secondAccount {
            // ccgd_directory_sessions_total{result="reused"} (a ccgd with warm sessions) says
            // whether the second account's fetch found the first one's session.
            var reused = 0, counted = false
            let value = try await measure { _ in
                let daemon = try await BenchDaemon.start(self.daemonSetup(prefetch: false), group: self.group)
                defer { daemon.stop() }
                let client = try await daemon.client()
                _ = try await BenchDaemon.lease(self.account, on: client)
                let elapsed = try await self.timed { _ = try await BenchDaemon.lease(second, on: client) }
                if try await daemon.counter("ccgd_directory_sessions_total") != nil {
                    counted = true
                    if try await daemon.counter("ccgd_directory_sessions_total", label: #"result="reused""#) ?? 0 > 0 { reused += 1 }
                }
                return elapsed
            }
            table.add(
                "peers and leases", "cold-account lease on a warm session (fresh daemon: \(account) first, then \(second) timed)", value,
                note: counted
                    ? "the session was reused in \(reused) of \(options.samples) samples (`ccgd_directory_sessions_total`)"
                    : "this ccgd keeps no warm directory session (no `ccgd_directory_sessions_total`): a whole fetch",
                ratio: true)
        } else {
            table.add("peers and leases", "cold-account lease on a warm session", .skipped, note: "the test domain has one gMSA only")
        }

        let daemon = try await BenchDaemon.start(daemonSetup(prefetch: false), group: group)
        do {
            let client = try await daemon.client()
            _ = try await BenchDaemon.lease(account, on: client)
            let warm = try await measure { _ in try await self.timed { _ = try await BenchDaemon.lease(self.account, on: client) } }
            table.add("peers and leases", "warm lease (cached account, one keep-alive client)", warm, ratio: true)
        } catch {
            daemon.stop()
            throw error
        }
        daemon.stop()

        try await prefetchedLease()
    }

    /// A fresh daemon with prefetch on: once GET /v1/accounts shows the account fresh, one lease.
    func prefetchedLease() async throws {
        guard prefetchKnown else {
            table.add(
                "peers and leases", "lease after prefetch", .skipped,
                note: "this ccgd rejects `prefetch = yes` in [daemon] (`ccgd --check-config`); issue 14 item 4 adds it", ratio: true)
            return
        }
        // A ccgd that prefetches only what the node needs is told to prefetch this CredSpec now.
        var setup = daemonSetup(prefetch: true)
        setup.eager = [account]
        if !(try setup.configurationAccepted()) { setup.eager = [] }
        let eager = !setup.eager.isEmpty
        var ignored = false
        let value = try await measure { [setup] _ in
            let daemon = try await BenchDaemon.start(setup, group: self.group)
            defer { daemon.stop() }
            var fresh = false
            for _ in 0..<3000 where !fresh {
                fresh = try await daemon.accountState("\(self.account)$") == "fresh"
                if !fresh { try await Task.sleep(for: .milliseconds(10)) }
            }
            if !fresh { ignored = true }
            let client = try await daemon.client()
            return try await self.timed { _ = try await BenchDaemon.lease(self.account, on: client) }
        }
        table.add(
            "peers and leases", "lease after prefetch (fresh daemon, prefetch = yes\(eager ? " and its opt-in" : ""), account shown fresh, then timed)", value,
            note: ignored ? "the account was not fresh within 30 s of a start: prefetch seems ignored, so these are cold leases" : "", ratio: true)
    }

    /// `concurrent` clients ask a fresh daemon for the same account's first lease at once.
    func coalescing() async throws {
        let daemon = try await BenchDaemon.start(daemonSetup(prefetch: false), group: group)
        defer { daemon.stop() }
        var clients: [KeepAliveClient] = []
        for _ in 0..<options.concurrent { clients.append(try await daemon.client()) }
        let credSpec = account
        let created = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            for client in clients {
                tasks.addTask { (try? await BenchDaemon.lease(credSpec, on: client)) != nil }
            }
            var count = 0
            for try await ok in tasks where ok { count += 1 }
            return count
        }
        let fetches = try await daemon.counter("ccgd_account_fetches_total") ?? 0
        table.add(
            "coalescing", "\(options.concurrent) concurrent first leases of \(account) on a fresh daemon",
            .figure("\(fetches) DC fetch\(fetches == 1 ? "" : "es")"),
            note: "`ccgd_account_fetches_total` from GET /metrics; \(created) of \(options.concurrent) leases created")
    }
}

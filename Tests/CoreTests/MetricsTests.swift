import Foundation
import XCTest
@testable import DirectoryPipeline
@testable import Observability

/// What a Prometheus scrape finds before anything happened: every series an alert may name.
final class MetricsTests: XCTestCase {
    /// Sample lines of `text` by series (`name{labels}`), value as written.
    private func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    func testEverySeriesWithKnownLabelsIsThereAtZeroFromTheStart() {
        let found = samples(Metrics().rendered())
        for series in [
            "ccgd_refresh_failures_total", "ccgd_account_fetches_avoided_total", "ccgd_connections_forbidden_total",
            #"ccgd_leases_ended_total{reason="holder_gone"}"#, #"ccgd_leases_ended_total{reason="expired"}"#,
            #"ccgd_leases_ended_total{reason="revoked"}"#, #"ccgd_leases_ended_total{reason="client_gone"}"#,
            #"ccgd_directory_sessions_total{result="new"}"#, #"ccgd_directory_sessions_total{result="reused"}"#,
            #"ccgd_account_fetches_total{result="ok"}"#, #"ccgd_account_fetches_total{result="directory.unreachable"}"#,
            #"ccgd_account_fetches_total{result="auth.failed"}"#, "ccgd_account_fetch_seconds_count",
            "ccgd_leases", "ccgd_accounts", "ccgd_health_degraded", "ccgd_journal_damaged_copies",
        ] {
            XCTAssertEqual(found[series], "0", "\(series) is not at zero from the start")
        }
        XCTAssertEqual(found[#"ccgd_build_info{version="\#(BuildInfo.version)"}"#], "1")
    }

    func testEveryFamilyIsDescribedAndTypedBeforeItsFirstSample() {
        let metrics = Metrics()
        metrics.increment("ccgd_http_requests_total", ["route": "health", "status": "200"])
        metrics.observe("ccgd_http_request_seconds", ["route": "health"], seconds: 0.01)
        var typed: [String: String] = [:]
        for line in metrics.rendered().split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# TYPE ") { typed[String(words[2])] = String(words[3]); continue }
            if line.hasPrefix("#") { continue }
            var family = String(words[0].prefix { $0 != "{" })
            for suffix in ["_bucket", "_sum", "_count"] where typed[family] == nil && family.hasSuffix(suffix) {
                family = String(family.dropLast(suffix.count))
            }
            XCTAssertNotNil(typed[family], "\(line) comes before a TYPE line of its family")
        }
        XCTAssertEqual(typed["ccgd_leases_ended_total"], "counter")
        XCTAssertEqual(typed["process_cpu_seconds_total"], "counter")
        XCTAssertEqual(typed["ccgd_http_request_seconds"], "histogram")
    }

    func testProcessMetricsDescribeThisProcess() throws {
        let found = samples(Metrics().rendered())
        let resident = try XCTUnwrap(found["process_resident_memory_bytes"].flatMap(Double.init))
        let virtual = try XCTUnwrap(found["process_virtual_memory_bytes"].flatMap(Double.init))
        XCTAssertGreaterThan(resident, 1_000_000)
        XCTAssertGreaterThanOrEqual(virtual, resident)
        let open = try XCTUnwrap(found["process_open_fds"].flatMap(Double.init))
        let maximum = try XCTUnwrap(found["process_max_fds"].flatMap(Double.init))
        XCTAssertGreaterThanOrEqual(open, 3)
        XCTAssertGreaterThan(maximum, open)
        // This process started before now and after the machine booted.
        let started = try XCTUnwrap(found["process_start_time_seconds"].flatMap(Double.init))
        XCTAssertLessThanOrEqual(started, Date().timeIntervalSince1970 + 1)
        XCTAssertGreaterThan(started, Date().timeIntervalSince1970 - ProcessInfo.processInfo.systemUptime - 2)
        XCTAssertNotNil(found["process_cpu_seconds_total"].flatMap(Double.init))
    }

    func testADomainControllerKnownBeforeAnyContactIsDownUntilItAnswers() {
        let health = ControllerHealth()
        let realm = "METRICS-\(UUID().uuidString.prefix(8)).TEST"
        let series = #"ccgd_domain_controller_up{host="dc1.metrics.test",realm="\#(realm)"}"#
        health.know(realm: realm, hosts: ["dc1.metrics.test"])
        XCTAssertEqual(samples(Metrics.shared.rendered())[series], "0", "an alert on == 0 must see a DC never reached")
        health.record(realm: realm, host: "dc1.metrics.test", reachable: true)
        XCTAssertEqual(samples(Metrics.shared.rendered())[series], "1")
        // Known again (a reload) keeps what was seen.
        health.know(realm: realm, hosts: ["dc1.metrics.test"])
        XCTAssertEqual(samples(Metrics.shared.rendered())[series], "1")
    }
}

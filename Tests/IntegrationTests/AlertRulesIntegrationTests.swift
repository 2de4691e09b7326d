import Foundation
import TestSupport
import TestSupport
import XCTest

/// docs/ccgd.rules.yml against what a real ccgd exports: Prometheus' own checker accepts it, it
/// names no metric ccgd does not export, and its DC alert fires on a scrape of a ccgd whose DC
/// never answered.
final class AlertRulesIntegrationTests: XCTestCase {
    private static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/ccgd.rules.yml").path

    /// promtool, which Debian's prometheus package has (scripts/test installs it).
    private func promtool() throws -> String {
        let path = "/usr/bin/promtool"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        let message = "promtool is missing: apt-get install --no-install-recommends prometheus (scripts/test does) (alert rule test skipped)"
        throw missingRequirement(message)
    }

    /// The sample lines of a scrape of a ccgd whose only DC (127.0.0.9) never answers, after one failed lease.
    private func scrapeOfADaemonWhoseDCIsDown() async throws -> [Substring] {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, controllerAddress: "127.0.0.9")
        defer { daemon.remove() }
        try daemon.start()
        _ = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "WebApp01"}"#)
        let text = try await daemon.request(.GET, "/metrics").text
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    func testPromtoolAcceptsTheRules() throws {
        let check = try Command.run(try promtool(), ["check", "rules", Self.rules])
        XCTAssertEqual(check.status, 0, check.all)
        XCTAssertTrue(check.all.contains("SUCCESS: 10 rules found"), check.all)
    }

    func testEveryMetricTheRulesNameIsExportedFromTheStart() async throws {
        let exported = Set(try await scrapeOfADaemonWhoseDCIsDown().map { String($0.prefix { $0 != "{" && $0 != " " }) })
        let text = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let expressions = text.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("expr:") }
        XCTAssertEqual(expressions.count, 10)
        var named: Set<String> = []
        for expression in expressions {
            for match in expression.matches(of: /\b((?:ccgd|process)_[a-z_]+)\b/) { named.insert(String(match.output.1)) }
        }
        XCTAssertGreaterThan(named.count, 8)
        for metric in named.sorted() {
            XCTAssertTrue(exported.contains(metric), "docs/ccgd.rules.yml names \(metric), which ccgd does not export")
        }
    }

    func testTheDomainControllerAlertFiresOnWhatCcgdExportsWhenItsDCNeverAnswered() async throws {
        let promtool = try promtool()
        let samples = try await scrapeOfADaemonWhoseDCIsDown()
        // Ten minutes of the scraped values, once a minute, as Prometheus would have stored them.
        let series = samples.filter { $0.hasPrefix("ccgd_domain_controller_up") || $0.hasPrefix("ccgd_health_degraded") }
        XCTAssertEqual(series.count, 2, "\(samples)")
        let input = series.map { line -> String in
            let space = line.lastIndex(of: " ")!
            let name = line[..<space], value = line[line.index(after: space)...]
            let labelled = name.hasSuffix("}") ? name.dropLast() + #",instance="node1",job="ccgd"}"# : name + #"{instance="node1",job="ccgd"}"#
            return "      - series: '\(labelled)'\n        values: '\(value)x12'"
        }.joined(separator: "\n")
        let directory = try temporaryDirectory("rules")
        let test = """
            rule_files:
              - \(Self.rules)
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
            \(input)
                alert_rule_test:
                  - eval_time: 6m
                    alertname: CcgdDomainControllerDown
                    exp_alerts:
                      - exp_labels: {severity: warning, host: dc1.contoso.test, realm: CONTOSO.TEST, instance: node1, job: ccgd}
                        exp_annotations:
                          summary: "ccgd cannot reach domain controller dc1.contoso.test of CONTOSO.TEST"
                          description: "The DC did not answer ccgd's last contact, or was never reached. `ccgctl health` names the cause; `ccgctl doctor --credspec NAME` checks the chain step by step."
                  - eval_time: 4m
                    alertname: CcgdDomainControllerDown
                    exp_alerts: []
                  - eval_time: 11m
                    alertname: CcgdDegraded
                    exp_alerts:
                      - exp_labels: {severity: warning, instance: node1, job: ccgd}
                        exp_annotations:
                          summary: "ccgd on node1 is degraded"
                          description: "`ccgctl health` (or GET /v1/health) lists the reasons: accounts that cannot be fetched or refreshed, DCs down, a damaged journal copy."
            """
        try test.write(toFile: directory + "/test.yml", atomically: true, encoding: .utf8)
        let outcome = try Command.run(promtool, ["test", "rules", directory + "/test.yml"])
        XCTAssertEqual(outcome.status, 0, "\(outcome.all)\n\(test)")
        XCTAssertTrue(outcome.all.contains("SUCCESS"), outcome.all)
    }
}

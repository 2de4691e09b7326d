import Synchronization

/// Counters and histograms for `GET /metrics`, in Prometheus' text format. Labels are few and
/// bounded (routes, status codes, plug-in GUIDs, DCs), never a secret or a user-chosen string.
/// Every series whose labels are known in advance is there from the start at zero: an alert on
/// `rate()` or `== 0` cannot see a series that appears only with its first event.
package final class Metrics: Sendable {
    package static let shared = Metrics()

    private struct Series: Hashable, Comparable {
        let name: String
        let labels: [String: String]

        var rendered: String {
            guard !labels.isEmpty else { return name }
            let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
            return "\(name){\(pairs.joined(separator: ","))}"
        }

        static func escape(_ value: String) -> String {
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return escaped
        }

        static func < (lhs: Series, rhs: Series) -> Bool { lhs.rendered < rhs.rendered }
    }

    private struct Histogram {
        var buckets: [Double: Int] = [:]
        var sum = 0.0
        var count = 0
    }

    private struct State {
        var help: [String: (type: String, text: String)] = [:]
        var counters: [Series: Double] = [:]
        var gauges: [Series: Double] = [:]
        var histograms: [Series: Histogram] = [:]
    }

    private let state = Mutex(State())
    /// Seconds: from a fast cached path to a slow DC.
    static let bucketBounds: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    package init() {
        describe("ccgd_http_requests_total", type: "counter", "API requests by route and status.")
        describe("ccgd_http_request_seconds", type: "histogram", "API request latency by route.")
        describe("ccgd_leases", type: "gauge", "Leases held.")
        describe("ccgd_accounts", type: "gauge", "gMSAs cached.")
        describe("ccgd_account_fetches_total", type: "counter", "gMSA fetches from a domain controller, by result.")
        describe("ccgd_account_fetch_seconds", type: "histogram", "Duration of a gMSA fetch (plug-in excluded).")
        describe("ccgd_directory_sessions_total", type: "counter", "Directory sessions by result: new (a login and a bind) or reused (warm).")
        describe("ccgd_refresh_failures_total", type: "counter", "Failed password or ticket refreshes.")
        describe("ccgd_plugin_calls_total", type: "counter", "Plug-in calls by plug-in and result.")
        describe("ccgd_plugin_call_seconds", type: "histogram", "Plug-in call duration.")
        describe("ccgd_domain_controller_up", type: "gauge", "1 when the domain controller answered last time, else 0 (also before ccgd first reached it).")
        describe("ccgd_connections_refused_total", type: "counter", "Connections of allowed peers refused, by the limit they were over.")
        describe(
            "ccgd_key_version_reads_total", type: "counter",
            "gMSA kvnos by search: same_answer (one round trip) or after_password (a rollover under way: a second search).")
        describe("ccgd_domain_backoffs_total", type: "counter", "Pauses of a domain's background fetches after a sign of strain (busy, unavailable, slow).")
        describe("ccgd_connections_forbidden_total", type: "counter", "Connections refused with 403: the peer is in neither allowed-uids nor allowed-gids.")
        describe(
            "ccgd_account_fetches_avoided_total", type: "counter",
            "Requests answered with a remembered failed fetch instead of asking the plug-in and the DC again.")
        describe("ccgd_leases_ended_total", type: "counter", "Leases ccgd ended without a DELETE, by reason.")
        describe(
            "ccgd_csi_publishes_refused_total", type: "counter",
            "CSI volumes not published, by reason: service_account (not granted its CredSpec) or the error code.")
        describe("ccgd_build_info", type: "gauge", "1, labelled with the version of ccgd that runs.")
        describe("ccgd_health_degraded", type: "gauge", "1 while GET /v1/health says degraded (its reasons say why), else 0.")
        describe(
            "ccgd_journal_damaged_copies", type: "gauge",
            "Damaged lease journal copies in the state directory; while one is there, lease directories without a record are kept.")
        set("ccgd_build_info", ["version": BuildInfo.version], to: 1)
        for name in ["ccgd_refresh_failures_total", "ccgd_account_fetches_avoided_total", "ccgd_connections_forbidden_total"] { declare(name) }
        for search in ["same_answer", "after_password"] { declare("ccgd_key_version_reads_total", ["search": search]) }
        for reason in Self.leaseEndReasons { declare("ccgd_leases_ended_total", ["reason": reason]) }
        for result in ["new", "reused"] { declare("ccgd_directory_sessions_total", ["result": result]) }
        for result in AccountFetchResult.labels { declare("ccgd_account_fetches_total", ["result": result]) }
        declareHistogram("ccgd_account_fetch_seconds")
        for gauge in ["ccgd_leases", "ccgd_accounts", "ccgd_health_degraded", "ccgd_journal_damaged_copies"] { set(gauge, to: 0) }
        ProcessMetrics.describe(in: self)
    }

    /// The `reason` labels of `ccgd_leases_ended_total` (LeaseService's `LeaseEnding`), here so
    /// that every series is there at zero before the lease keeper starts.
    package static let leaseEndReasons = ["holder_gone", "expired", "revoked", "client_gone"]

    /// A counter series at zero, unless it has counted already.
    package func declare(_ name: String, _ labels: [String: String] = [:]) {
        state.withLock { $0.counters[Series(name: name, labels: labels), default: 0] += 0 }
    }

    /// A gauge series at `value`, unless it has one already (a DC known before any contact is down until reached).
    package func declareGauge(_ name: String, _ labels: [String: String] = [:], value: Double) {
        state.withLock { state in
            let series = Series(name: name, labels: labels)
            if state.gauges[series] == nil { state.gauges[series] = value }
        }
    }

    /// A histogram series without observations, unless it has some.
    package func declareHistogram(_ name: String, _ labels: [String: String] = [:]) {
        state.withLock { state in
            let series = Series(name: name, labels: labels)
            if state.histograms[series] == nil { state.histograms[series] = Histogram() }
        }
    }

    /// Drops every series of gauge `name` whose labels `keep` refuses (a DC no longer configured).
    package func removeGauges(_ name: String, unless keep: ([String: String]) -> Bool) {
        state.withLock { state in
            state.gauges = state.gauges.filter { $0.key.name != name || keep($0.key.labels) }
        }
    }

    package func describe(_ name: String, type: String, _ help: String) {
        state.withLock { $0.help[name] = (type, help) }
    }

    package func increment(_ name: String, _ labels: [String: String] = [:], by amount: Double = 1) {
        state.withLock { $0.counters[Series(name: name, labels: labels), default: 0] += amount }
    }

    package func set(_ name: String, _ labels: [String: String] = [:], to value: Double) {
        state.withLock { $0.gauges[Series(name: name, labels: labels)] = value }
    }

    package func observe(_ name: String, _ labels: [String: String] = [:], seconds: Double) {
        state.withLock { state in
            var histogram = state.histograms[Series(name: name, labels: labels)] ?? Histogram()
            for bound in Self.bucketBounds where seconds <= bound { histogram.buckets[bound, default: 0] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.histograms[Series(name: name, labels: labels)] = histogram
        }
    }

    /// The exposition text.
    package func rendered() -> String {
        state.withLock { state in
            var lines: [String] = []
            var described: Set<String> = []
            func header(_ name: String) {
                guard described.insert(name).inserted, let help = state.help[name] else { return }
                lines.append("# HELP \(name) \(help.text)")
                lines.append("# TYPE \(name) \(help.type)")
            }
            for (series, value) in state.counters.sorted(by: { $0.key < $1.key }) {
                header(series.name)
                lines.append("\(series.rendered) \(format(value))")
            }
            for (series, value) in state.gauges.sorted(by: { $0.key < $1.key }) {
                header(series.name)
                lines.append("\(series.rendered) \(format(value))")
            }
            for (series, histogram) in state.histograms.sorted(by: { $0.key < $1.key }) {
                header(series.name)
                for bound in Self.bucketBounds {
                    var labels = series.labels
                    labels["le"] = format(bound)
                    lines.append("\(Series(name: series.name + "_bucket", labels: labels).rendered) \(histogram.buckets[bound] ?? 0)")
                }
                var labels = series.labels
                labels["le"] = "+Inf"
                lines.append("\(Series(name: series.name + "_bucket", labels: labels).rendered) \(histogram.count)")
                lines.append("\(Series(name: series.name + "_sum", labels: series.labels).rendered) \(format(histogram.sum))")
                lines.append("\(Series(name: series.name + "_count", labels: series.labels).rendered) \(histogram.count)")
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

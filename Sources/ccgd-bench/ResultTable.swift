import Foundation

/// Timed samples of one thing: median and range, in milliseconds.
struct Samples {
    let durations: [Duration]

    var median: Double {
        let sorted = durations.map(Self.milliseconds).sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
    var minimum: Double { durations.map(Self.milliseconds).min() ?? 0 }
    var maximum: Double { durations.map(Self.milliseconds).max() ?? 0 }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The table `compare` prints: one row per measurement, in groups; a row is timed samples, a
/// plain figure, or skipped with the reason.
struct ResultTable {
    enum Value {
        case timed(Samples, dcCPU: Duration?)
        case figure(String)
        case skipped
    }

    struct Row {
        let group: String
        let label: String
        let value: Value
        let note: String
        /// Shown as a ratio to the command chain too.
        let ratio: Bool
    }

    private(set) var rows: [Row] = []
    /// The command chain's median: every lease row is also shown as a ratio to it.
    var chainMedian: Double?

    mutating func add(_ group: String, _ label: String, _ value: Value, note: String = "", ratio: Bool = false) {
        rows.append(Row(group: group, label: label, value: value, note: note, ratio: ratio))
    }

    func render(samples: Int) -> String {
        var lines = [
            "| | what | median ms | range ms (\(samples) samples) | × chain | DC CPU ms/sample | note |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        // Rows in the order added, each group together where its first row was.
        var groups: [String] = []
        for row in rows where !groups.contains(row.group) { groups.append(row.group) }
        var lastGroup = ""
        for row in groups.flatMap({ group in rows.filter { $0.group == group } }) {
            let group = row.group == lastGroup ? "" : row.group
            lastGroup = row.group
            var cells: [String]
            switch row.value {
            case let .timed(samples, dcCPU):
                let ratio = chainMedian.map { String(format: "%.2f×", samples.median / $0) } ?? "–"
                cells = [
                    format(samples.median), "\(format(samples.minimum))–\(format(samples.maximum))",
                    row.ratio ? ratio : "", dcCPU.map { format(Samples.milliseconds($0)) } ?? "",
                ]
            case let .figure(text):
                cells = [text, "", "", ""]
            case .skipped:
                cells = ["skipped", "", "", ""]
            }
            lines.append("| \(group) | \(row.label) | " + cells.joined(separator: " | ") + " | \(row.note) |")
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }
}

import FoundationEssentials

/// How the doctor writes times and lengths of time.
enum DoctorFormat {
    /// `2026-11-29T11:32:07Z`
    static func time(_ date: Date) -> String { date.formatted(.iso8601) }

    /// A length of time in its two largest units: `29 d 23 h`, `2 h`, `3 min 20 s`.
    static func span(seconds: Int64) -> String {
        let seconds = abs(seconds)
        let units: [(Int64, String)] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")]
        guard let first = units.firstIndex(where: { seconds >= $0.0 }) else { return "0 s" }
        let (size, name) = units[first]
        var text = "\(seconds / size) \(name)"
        if first + 1 < units.count {
            let (nextSize, nextName) = units[first + 1]
            let next = seconds % size / nextSize
            if next > 0 { text += " \(next) \(nextName)" }
        }
        return text
    }

    static func span(_ duration: Duration) -> String { span(seconds: duration.components.seconds) }

    /// `0x1c`
    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }
}

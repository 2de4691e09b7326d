import Foundation

/// The clock of a test domain started with CCGD_TESTDOMAIN_CLOCK_FILE: libfaketime in the DCs (and
/// in a ccgd started with `environment`) reads the offset from the file again within a second. A
/// soak only ever moves it forward: a DC's gMSA passwords rolled at a later time are not undone by
/// going back, so the next soak starts from where this one left it.
struct DomainClock {
    let file: String
    let library: String

    /// The offset in whole hours ("+0", "+21h", "+2d" and "+90m" are understood; what libfaketime reads).
    func offsetHours() throws -> Int {
        let text = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("+") || text.hasPrefix("-") else {
            throw BenchError("\(file) holds \"\(text)\", not an offset such as +0 or +21h; write +0 into it before the DCs start.")
        }
        let sign = text.hasPrefix("-") ? -1 : 1
        let body = text.dropFirst()
        let unit = body.last.flatMap { $0.isLetter ? $0 : nil }
        guard let value = Int(unit == nil ? body : body.dropLast()) else {
            throw BenchError("\(file) holds \"\(text)\", not an offset such as +0 or +21h.")
        }
        switch unit {
        case nil: return sign * value / 3600
        case "m": return sign * value / 60
        case "h": return sign * value
        case "d": return sign * value * 24
        default: throw BenchError("\(file) holds \"\(text)\": use s, m, h or d as the unit.")
        }
    }

    /// Moves the domain's clock `hours` further; returns the new offset.
    @discardableResult
    func advance(hours: Int) throws -> Int {
        let next = try offsetHours() + hours
        // Whole file replaced at once: libfaketime must never read half an offset.
        try "+\(next)h\n".write(toFile: file, atomically: true, encoding: .utf8)
        return next
    }

    /// For a ccgd that shares the DCs' clock: only the wall clock moves, its timers stay monotonic.
    var environment: [String: String] {
        [
            "LD_PRELOAD": library, "FAKETIME_TIMESTAMP_FILE": file, "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        ]
    }
}

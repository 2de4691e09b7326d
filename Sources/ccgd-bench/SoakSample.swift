import Foundation

/// What a soak records of the daemon every few seconds: its memory, descriptors and threads from
/// /proc, the size of its lease journal (state directory) and of its log (what the systemd
/// journal would receive), the lease traffic, and what happened since the last sample.
struct SoakSample {
    var seconds = 0.0
    var residentKB = 0
    var anonymousKB = 0
    var descriptors = 0
    var threads = 0
    var journalBytes = 0
    var logBytes = 0
    var liveLeases = 0
    var created = 0
    var ended = 0
    var failures = 0
    var p50Milliseconds = 0.0
    var p99Milliseconds = 0.0
    var clockHours = 0
    var kvnos = ""
    var events: [String] = []

    static let header =
        "seconds,rss_kb,anon_kb,fds,threads,journal_bytes,log_bytes,live_leases,created,ended,failures,p50_ms,p99_ms,clock_hours,kvnos,events"

    var csvLine: String {
        [
            String(format: "%.0f", seconds), "\(residentKB)", "\(anonymousKB)", "\(descriptors)", "\(threads)", "\(journalBytes)",
            "\(logBytes)", "\(liveLeases)", "\(created)", "\(ended)", "\(failures)", String(format: "%.2f", p50Milliseconds),
            String(format: "%.2f", p99Milliseconds), "\(clockHours)", kvnos, events.joined(separator: ";"),
        ].joined(separator: ",")
    }

    /// VmRSS, RssAnon and Threads of /proc/PID/status and the entries of /proc/PID/fd.
    mutating func readProcess(_ pid: pid_t) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            // "VmRSS:\t   40892 kB", "Threads:\t7": tabs and spaces.
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        residentKB = field("VmRSS")
        anonymousKB = field("RssAnon")
        threads = field("Threads")
        descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    /// The bytes of every regular file directly in `directory` (the lease journal and its kin).
    static func bytes(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { sum, name in
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return sum }
            return sum + Int(info.st_size)
        }
    }

    static func bytes(ofFile path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}

extension Array where Element == Duration {
    /// The `fraction` quantile in milliseconds (nearest rank), 0 when empty.
    func quantileMilliseconds(_ fraction: Double) -> Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        let rank = Swift.min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)
        let value = sorted[Swift.max(0, rank)].components
        return Double(value.seconds) * 1000 + Double(value.attoseconds) / 1e15
    }
}

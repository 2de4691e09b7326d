import Foundation

/// The CPU time (user + system) of the DC: its main process and every process descending from
/// it (Samba's prefork workers), from /proc/<pid>/stat. Processes that exit between two readings
/// take their time with them, so a difference can only under-count.
struct DCProcessTime {
    let rootPID: pid_t
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The DC's CPU time so far.
    func now() -> Duration {
        var parents: [pid_t: pid_t] = [:]
        var ticks: [pid_t: Int] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm) ": state ppid ... utime (14th field) stime (15th); comm may hold spaces.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let parent = pid_t(fields[1]), let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
            parents[pid] = parent
            ticks[pid] = user + system
        }
        var total = 0
        for (pid, value) in ticks where descends(pid, parents) { total += value }
        return .nanoseconds(Int64(Double(total) / ticksPerSecond * 1e9))
    }

    private func descends(_ pid: pid_t, _ parents: [pid_t: pid_t]) -> Bool {
        var current = pid
        for _ in 0..<64 {
            if current == rootPID { return true }
            guard let parent = parents[current], parent > 1 else { return false }
            current = parent
        }
        return false
    }
}

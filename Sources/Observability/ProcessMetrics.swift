import FoundationEssentials
import Glibc
import ProcessIdentity

/// The `process_*` metrics every Prometheus client library exports, read from `/proc/self` at
/// each scrape (the unit's `ProcSubset=pid` leaves that, but not `/proc/stat`).
package enum ProcessMetrics {
    static func describe(in metrics: Metrics) {
        metrics.describe("process_cpu_seconds_total", type: "counter", "User and system CPU time spent, in seconds.")
        metrics.describe("process_resident_memory_bytes", type: "gauge", "Resident memory size in bytes.")
        metrics.describe("process_virtual_memory_bytes", type: "gauge", "Virtual memory size in bytes.")
        metrics.describe("process_open_fds", type: "gauge", "Open file descriptors.")
        metrics.describe("process_max_fds", type: "gauge", "The limit of open file descriptors (RLIMIT_NOFILE).")
        metrics.describe("process_start_time_seconds", type: "gauge", "Start time of the process since the Unix epoch, in seconds.")
        update(metrics)
    }

    /// Reads them now.
    package static func update(_ metrics: Metrics) {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let fields = ProcessStart.ownFields, fields.count >= 22, ticks > 0 {
            // Fields 14 and 15 (utime, stime) and 22 (starttime) in ticks, 23 (vsize) in bytes, 24 (rss) in pages.
            let number = { (field: Int) in Double(fields[field - 3]) ?? 0 }
            metrics.set("process_cpu_seconds_total", to: (number(14) + number(15)) / ticks)
            metrics.set("process_virtual_memory_bytes", to: number(23))
            metrics.set("process_resident_memory_bytes", to: number(24) * Double(sysconf(Int32(_SC_PAGESIZE))))
            metrics.set("process_start_time_seconds", to: (bootTime + number(22) / ticks).rounded())
        }
        if let open = openDescriptors { metrics.set("process_open_fds", to: Double(open)) }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            metrics.set("process_max_fds", to: limit.rlim_cur == rlim_t.max ? -1 : Double(limit.rlim_cur))
        }
    }

    /// The boot's time since the epoch: the real-time clock less the time since boot.
    private static var bootTime: Double {
        var now = timespec(), sinceBoot = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        clock_gettime(CLOCK_BOOTTIME, &sinceBoot)
        return Double(now.tv_sec - sinceBoot.tv_sec) + Double(now.tv_nsec - sinceBoot.tv_nsec) / 1e9
    }

    /// The entries of `/proc/self/fd`, less the one the count itself opens.
    private static var openDescriptors: Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return count - 1
    }
}

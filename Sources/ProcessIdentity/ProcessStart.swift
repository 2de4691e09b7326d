import Glibc
import SystemBasics

/// When a process started, as the kernel counts it: clock ticks since boot (field 22 of
/// `/proc/PID/stat`). A pid is reused; a pid with its start time names one process of one boot.
package enum ProcessStart {
    /// The start time of process `pid`, nil when it is gone or hidden from this process
    /// (`/proc` mounted with `hidepid`, as systemd's `ProtectProc=invisible` does).
    package static func ticks(of pid: Int32) -> UInt64? {
        guard pid > 0, let bytes = contents(of: "/proc/\(pid)/stat", limit: 4096) else { return nil }
        return ticks(parsing: bytes)
    }

    /// Field 22 of a `/proc/PID/stat` line. The command name (field 2) is in parentheses and may
    /// hold spaces and parentheses itself: the fields are counted after its last `)`.
    package static func ticks(parsing stat: [UInt8]) -> UInt64? {
        guard let fields = fields(parsing: stat), fields.count >= 20 else { return nil }
        // After the name: state is field 3, so field 22 is the 20th.
        return UInt64(fields[19])
    }

    /// The fields of a `/proc/PID/stat` line from field 3 (the state) on: `fields[n - 3]` is field n.
    package static func fields(parsing stat: [UInt8]) -> [String]? {
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return stat[(close + 1)...].split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// This process's `/proc/self/stat` fields from field 3 on (see `fields(parsing:)`).
    package static var ownFields: [String]? {
        contents(of: "/proc/self/stat", limit: 4096).flatMap(fields(parsing:))
    }

    /// This boot's id (`/proc/sys/kernel/random/boot_id`); nil where it is hidden (systemd's
    /// `ProcSubset=pid`).
    package static var bootID: String? {
        guard let bytes = contents(of: "/proc/sys/kernel/random/boot_id", limit: 64) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace }
        return text.count == 36 ? text : nil
    }

    private static func contents(of path: String, limit: Int) -> [UInt8]? {
        guard let bytes = try? WholeFile.read(path: path, upTo: limit), !bytes.isEmpty else { return nil }
        return bytes
    }
}

import ProcessIdentity

/// The process whose life a lease shares (for a container, its init process): when it exits,
/// ccgd ends the lease. A pid alone is reused; with its start time and boot it names one process.
package struct LeaseHolder: Sendable, Hashable, Codable, CustomStringConvertible {
    package var pid: Int32
    /// Clock ticks since boot when it started (`/proc/PID/stat` field 22); nil when neither the
    /// caller nor ccgd could see it.
    package var startTime: UInt64?
    /// The boot it runs in, when ccgd can read it: after a reboot no holder of before is alive.
    package var bootID: String?

    package init(pid: Int32, startTime: UInt64? = nil, bootID: String? = nil) {
        self.pid = pid
        self.startTime = startTime
        self.bootID = bootID
    }

    package var description: String { startTime.map { "process \(pid) (started at tick \($0))" } ?? "process \(pid)" }
}

/// Why a holder is not (or no longer) there.
package enum HolderAbsence: Error, Sendable, Equatable, CustomStringConvertible {
    case exited
    /// The pid now belongs to another process.
    case replaced(startTime: UInt64)
    /// It ran in an earlier boot.
    case rebooted

    package var description: String {
        switch self {
        case .exited: "it has exited"
        case let .replaced(startTime): "its pid now belongs to another process (started at tick \(startTime))"
        case .rebooted: "it belonged to an earlier boot"
        }
    }
}

extension LeaseHolder {
    /// Finds the holder a caller named (its start time optional) and opens a descriptor on it,
    /// which names that process for as long as it is held, whatever happens to the pid. Without
    /// a descriptor (none left to open) the holder is watched by its pid and start time.
    static func identify(_ claim: LeaseHolder) -> Result<(LeaseHolder, ProcessDescriptor?), HolderAbsence> {
        let descriptor = ProcessDescriptor(pid: claim.pid)
        if descriptor == nil && ProcessDescriptor.isFree(claim.pid) { return .failure(.exited) }
        // Read after the descriptor exists: if the pid is still the claimed process now, the
        // descriptor is that process's.
        let observed = ProcessStart.ticks(of: claim.pid)
        if let observed, let claimed = claim.startTime, observed != claimed { return .failure(.replaced(startTime: observed)) }
        if descriptor?.hasExited ?? false { return .failure(.exited) }
        // Hidden from ccgd (ProtectProc=invisible): the caller's word, pinned by the descriptor.
        let holder = LeaseHolder(pid: claim.pid, startTime: observed ?? claim.startTime, bootID: ProcessStart.bootID)
        return .success((holder, descriptor))
    }

    /// Finds a recorded holder again (a restart), with a descriptor on it when one can be opened.
    func reidentify() -> Result<ProcessDescriptor?, HolderAbsence> {
        let descriptor = ProcessDescriptor(pid: pid)
        if let absence = absence(descriptor) { return .failure(absence) }
        return .success(descriptor)
    }

    /// Why the holder is gone, or nil while it may run: gone when it has exited (a zombie too),
    /// its pid is free or another process's, or it ran in another boot. A holder ccgd cannot see
    /// (hidden, or recorded without a start time) is taken as the process that has its pid.
    /// `descriptor`: one opened on its pid before (or nil), checked after it was opened.
    func absence(_ descriptor: ProcessDescriptor?) -> HolderAbsence? {
        if let bootID, let current = ProcessStart.bootID, bootID != current { return .rebooted }
        if let descriptor { if descriptor.hasExited { return .exited } } else if ProcessDescriptor.isFree(pid) { return .exited }
        if let startTime, let observed = ProcessStart.ticks(of: pid), observed != startTime { return .replaced(startTime: observed) }
        return nil
    }
}

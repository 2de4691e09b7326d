import Foundation

/// libfaketime keeps a semaphore and a shared-memory file per process in /dev/shm and removes
/// them when the process exits; a killed process (the clocked DC's children when it stops, a
/// daemon the test kills) leaves them behind, and the `faketime` command later fails with
/// "sem_open: File exists" when a new process happens to get that PID.
enum FaketimeLeftovers {
    /// Removes the files of processes that no longer exist.
    static func remove() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/dev/shm")) ?? [] {
            guard let prefix = ["faketime_shm_", "sem.faketime_sem_"].first(where: name.hasPrefix),
                let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            unlink("/dev/shm/" + name)
        }
    }
}

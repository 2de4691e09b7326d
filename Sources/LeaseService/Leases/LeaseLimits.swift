import Glibc

/// What one creator may hold and what the lease directories' file system keeps free: a tenant
/// cannot fill the runtime directory (on a shared /run) or crowd others out.
package struct LeaseLimits: Sendable, Equatable {
    /// Leases each non-root creator may hold at once (nil: no limit).
    package var perCaller: Int? = 128
    /// Root's own limit (nil: none): the OCI hook and the ECS agent create for every container.
    package var root: Int? = nil
    /// Limits of single creators, by uid, instead of the above (nil: no limit).
    package var callers: [UInt32: Int?] = [:]
    package var reserve = StorageReserve()

    package init(perCaller: Int? = 128, root: Int? = nil, callers: [UInt32: Int?] = [:], reserve: StorageReserve = StorageReserve()) {
        self.perCaller = perCaller
        self.root = root
        self.callers = callers
        self.reserve = reserve
    }

    /// How many leases `creator` may hold; nil: no limit.
    package func quota(for creator: UInt32) -> Int? {
        if let own = callers[creator] { return own }
        return creator == 0 ? root : perCaller
    }
}

/// Room a lease may not take from the file system that holds its directory: a share of it and
/// a number of inodes that stay free for everything else on it.
package struct StorageReserve: Sendable, Equatable {
    /// Free space kept, in per cent of the file system's size.
    package var percent: Int = 10
    /// Free inodes kept.
    package var inodes: UInt64 = 1024

    package init(percent: Int = 10, inodes: UInt64 = 1024) {
        self.percent = percent
        self.inodes = inodes
    }

    /// Throws when the file system of `directory`'s parent has less free room than the reserve;
    /// a file system that cannot be asked is no reason to refuse.
    func check(directory: String) throws(LeaseError) {
        let parent = directory.lastIndex(of: "/").map { String(directory[..<$0]) } ?? "."
        var status = statvfs()
        guard statvfs(parent.isEmpty ? "/" : parent, &status) == 0, status.f_blocks > 0 else { return }
        let size = UInt64(status.f_blocks) * UInt64(status.f_frsize)
        let free = UInt64(status.f_bavail) * UInt64(status.f_frsize)
        let kept = size / 100 * UInt64(max(percent, 0))
        // A file system without inode accounting (some report 0 files) has no inode shortage.
        let inodesShort = status.f_files > 0 && UInt64(status.f_favail) < inodes
        if free < kept || inodesShort {
            throw .storageFull(path: parent, freeBytes: free, freeInodes: UInt64(status.f_favail), reserve: self)
        }
    }
}

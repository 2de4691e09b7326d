internal import CMalloc

/// glibc's heap, kept to what a daemon that runs for months needs. By default glibc raises its
/// mmap threshold to the size of the largest block freed (up to 32 MB); from then on big
/// transient buffers (the lease journal read whole to be compacted, a long lease list) come from
/// the heap, and their pages stay with the process once freed. scripts/soak measured it: the
/// first compaction of a 5 MB journal left 13 MB more anonymous memory, never given back.
package enum HeapMemory {
    /// Fixes the mmap threshold at glibc's own default, which turns its raising off: a block of
    /// 128 KiB or more is mapped on its own and unmapped when freed. Call once, at start.
    package static func keepLargeBlocksMapped() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    }

    /// Gives the free pages of every arena back to the kernel: after a burst of transient
    /// allocations (a compaction), whose freed blocks would otherwise stay resident.
    package static func returnFreePages() {
        _ = malloc_trim(0)
    }
}

internal import CProcessWatch
import Glibc
import Synchronization
import SystemSupport

/// Tells when lease holders exit: each holder's process descriptor in one epoll set, waited on by
/// a thread of its own (started while there is something to watch). A holder without a
/// descriptor (none could be opened) is checked by its pid and start time every few seconds.
final class HolderWatch: Sendable {
    private struct State {
        var watched: [UInt64: (holder: LeaseHolder, descriptor: ProcessDescriptor)] = [:]
        var tokens: [LeaseHolder: UInt64] = [:]
        var polled: Set<LeaseHolder> = []
        var nextToken: UInt64 = 1
        var running = false
    }

    /// How often holders without a descriptor are checked.
    static let pollInterval: Int32 = 2000

    private let epoll: Int32
    private let state = Mutex(State())
    private let gone: @Sendable (LeaseHolder, HolderAbsence) -> Void
    private let thread = BlockingWork(label: "ccgd.holders")

    /// `gone` is called once for each watched holder that exits, on the watch's thread.
    init(gone: @escaping @Sendable (LeaseHolder, HolderAbsence) -> Void) {
        epoll = ccgd_epoll_create()
        self.gone = gone
    }

    deinit { if epoll >= 0 { close(epoll) } }

    /// Watches `holder` (already watched: nothing changes; `descriptor` is dropped).
    func watch(_ holder: LeaseHolder, descriptor: ProcessDescriptor?) {
        let start = state.withLock { state -> Bool in
            guard state.tokens[holder] == nil, !state.polled.contains(holder) else { return false }
            let token = state.nextToken
            state.nextToken += 1
            if let descriptor, epoll >= 0, ccgd_epoll_watch(epoll, descriptor.fd, token) == 0 {
                state.watched[token] = (holder, descriptor)
                state.tokens[holder] = token
            } else {
                state.polled.insert(holder)
            }
            defer { state.running = true }
            return !state.running
        }
        if start { thread.start { self.run() } }
    }

    /// Stops watching `holder` (its last lease ended).
    func forget(_ holder: LeaseHolder) {
        state.withLock { state in
            state.polled.remove(holder)
            guard let token = state.tokens.removeValue(forKey: holder), let entry = state.watched.removeValue(forKey: token) else { return }
            _ = ccgd_epoll_forget(epoll, entry.descriptor.fd)
        }
    }

    var watchedCount: Int { state.withLock { $0.tokens.count + $0.polled.count } }

    private func run() {
        var tokens = [UInt64](repeating: 0, count: 64)
        while true {
            let polling = state.withLock { state -> Bool? in
                guard !state.watched.isEmpty || !state.polled.isEmpty else {
                    state.running = false
                    return nil
                }
                return !state.polled.isEmpty
            }
            guard let polling else { return }
            let ready =
                epoll >= 0
                ? tokens.withUnsafeMutableBufferPointer {
                    ccgd_epoll_wait(epoll, $0.baseAddress, Int32($0.count), Self.pollInterval)
                }
                : {
                    usleep(UInt32(Self.pollInterval) * 1000); return 0
                }()
            var ended: [(LeaseHolder, HolderAbsence)] = []
            if ready > 0 {
                state.withLock { state in
                    for token in tokens[..<Int(ready)] {
                        guard let entry = state.watched.removeValue(forKey: token) else { continue }
                        state.tokens[entry.holder] = nil
                        _ = ccgd_epoll_forget(epoll, entry.descriptor.fd)
                        ended.append((entry.holder, .exited))
                    }
                }
            }
            if polling {
                let polled = state.withLock { $0.polled }
                for holder in polled {
                    guard let absence = holder.absence(nil) else { continue }
                    if state.withLock({ $0.polled.remove(holder) }) != nil { ended.append((holder, absence)) }
                }
            }
            for (holder, absence) in ended { gone(holder, absence) }
        }
    }
}

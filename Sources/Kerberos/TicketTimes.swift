import FoundationEssentials
import Glibc

/// When a ticket-granting ticket was issued and until when it can be used or renewed.
public struct TicketTimes: Sendable, Equatable {
    public let authTime: Date
    public let startTime: Date
    public let endTime: Date
    /// Nil when the ticket is not renewable.
    public let renewUntil: Date?

    public init(authTime: Date, startTime: Date, endTime: Date, renewUntil: Date?) {
        self.authTime = authTime
        self.startTime = startTime
        self.endTime = endTime
        self.renewUntil = renewUntil
    }
}

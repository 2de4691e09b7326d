import FoundationEssentials
import Glibc

/// When a ticket-granting ticket was issued and until when it can be used or renewed.
package struct TicketTimes: Sendable, Equatable {
    package let authTime: Date
    package let startTime: Date
    package let endTime: Date
    /// Nil when the ticket is not renewable.
    package let renewUntil: Date?

    package init(authTime: Date, startTime: Date, endTime: Date, renewUntil: Date?) {
        self.authTime = authTime
        self.startTime = startTime
        self.endTime = endTime
        self.renewUntil = renewUntil
    }
}

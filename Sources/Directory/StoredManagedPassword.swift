import FoundationEssentials

/// The password a DC holds for a gMSA (its keys, and the kvno that counts them), as
/// `msDS-ManagedPasswordId` and `msDS-ManagedPasswordInterval` tell it in the same answer as
/// `msDS-ManagedPassword`: when that answer's kvno belongs to the password it sends as current,
/// the kvno needs no second search.
///
/// Why a second search at all: a DC computes `msDS-ManagedPassword` at the time of the read. When
/// the password it holds has expired, it sends the new one and only then stores it (Samba: the
/// update follows the entry, before the search's end), so the kvno in that answer is the old
/// password's. In the last five minutes before a rollover it sends the next password as current
/// while still holding, and counting, the present one. Both cases show here without a clock shared
/// with the DC: the password the DC holds started with its group key's period (the key id's
/// L0/L1/L2 indices, 10-hour periods since 1601) and ends one rollover interval later; the blob
/// says when the password it sends ends (now + query interval). They agree only when the password
/// sent is the one held; the next one ends a whole interval later (or more), far beyond any
/// clock skew Kerberos allows.
package struct StoredManagedPassword: Sendable, Equatable {
    /// When the held password's group key period began.
    package let keyStart: Date
    /// Its life: `msDS-ManagedPasswordInterval` days in whole 10-hour key periods, as DCs count it
    /// (1 day: 20 h; 30 days: 720 h).
    package let rolloverInterval: TimeInterval

    /// Group key periods (MS-GKDI): ten hours; 32 L2 periods make an L1, 32 L1 an L0.
    static let keyPeriod: TimeInterval = 36_000
    /// The last minutes before a rollover, when a DC already sends the next password (MS-ADTS: five).
    static let nextPasswordLead: TimeInterval = 300
    /// Seconds from 1601-01-01 (FILETIME's epoch) to 1970-01-01.
    static let fileTimeEpochOffset: TimeInterval = 11_644_473_600

    package init(keyStart: Date, rolloverInterval: TimeInterval) {
        self.keyStart = keyStart
        self.rolloverInterval = rolloverInterval
    }

    /// Reads `msDS-ManagedPasswordId` (a key envelope: version 1, magic "KDSK", flags, then the
    /// L0, L1 and L2 indices, little endian) and `msDS-ManagedPasswordInterval` (days; AD's
    /// default, 30, when absent). Nil for anything else: the caller then reads the kvno again.
    package init?(passwordID: [UInt8], intervalDays: Int?) {
        guard passwordID.count >= 24 else { return nil }
        func word(_ offset: Int) -> UInt32 {
            UInt32(passwordID[offset]) | UInt32(passwordID[offset + 1]) << 8 | UInt32(passwordID[offset + 2]) << 16
                | UInt32(passwordID[offset + 3]) << 24
        }
        guard word(0) == 1, word(4) == 0x4B53_444B else { return nil }
        let (l0, l1, l2) = (word(12), word(16), word(20))
        guard l1 < 32, l2 < 32 else { return nil }
        let periods = (Double(l0) * 32 + Double(l1)) * 32 + Double(l2)
        let days = intervalDays ?? 30
        guard days > 0, days <= 36_500 else { return nil }
        keyStart = Date(timeIntervalSince1970: periods * Self.keyPeriod - Self.fileTimeEpochOffset)
        rolloverInterval = Double(days * 24 / 10) * Self.keyPeriod
    }

    /// When the held password ends.
    package var keyEnd: Date { keyStart.addingTimeInterval(rolloverInterval) }

    /// Whether the answer's kvno counts the password the blob sends as current: the blob's end of
    /// that password (`now` + `queryInterval`) is the held password's end, within half an
    /// interval, and the DC is not yet sending the next password.
    package func countsCurrentPassword(queryInterval: TimeInterval, now: Date) -> Bool {
        guard rolloverInterval > 0, queryInterval > Self.nextPasswordLead + 60 else { return false }
        let end = now.addingTimeInterval(queryInterval)
        return abs(end.timeIntervalSince(keyEnd)) < rolloverInterval / 2
    }
}

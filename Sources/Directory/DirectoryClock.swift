import Glibc

extension DirectoryConnection {
    /// The DC's own clock, from the rootDSE's `currentTime` (readable without a bind), in
    /// seconds since 1970: what a clock-skew diagnosis compares this host's clock with.
    package func currentTime() throws(DirectoryError) -> Int64 {
        let entries = try search(base: "", scope: .base, filter: "(objectClass=*)", attributes: ["currentTime"])
        guard let text = entries.first?.string("currentTime"), let seconds = Self.generalizedTime(text) else {
            throw .malformedAnswer(controller: controller.description, reason: "the rootDSE has no readable currentTime")
        }
        return seconds
    }

    /// Parses an LDAP GeneralizedTime in UTC, e.g. `20261129112544.0Z`.
    static func generalizedTime(_ text: String) -> Int64? {
        let digits = Array(text.utf8.prefix(14))
        guard digits.count == 14, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.hasSuffix("Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32 { range.reduce(0) { $0 * 10 + Int32(digits[$1] - 0x30) } }
        var fields = tm()
        fields.tm_year = number(0..<4) - 1900
        fields.tm_mon = number(4..<6) - 1
        fields.tm_mday = number(6..<8)
        fields.tm_hour = number(8..<10)
        fields.tm_min = number(10..<12)
        fields.tm_sec = number(12..<14)
        return Int64(timegm(&fields))
    }
}

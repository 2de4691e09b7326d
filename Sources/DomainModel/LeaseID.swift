/// A lease's id: `l_` and 22 base-62 characters from 128 random bits (the system's CSPRNG):
/// unguessable, URL-safe, and safe as a directory name.
package struct LeaseID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    package let value: String

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new random id.
    package init() {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64, low = generator.next() as UInt64
        var characters: [Character] = []
        for _ in 0..<22 {
            // Divide the 128-bit number (high, low) by 62, keeping the remainder as the digit.
            let (highQuotient, highRemainder) = high.quotientAndRemainder(dividingBy: 62)
            let (lowQuotient, remainder) = UInt64(62).dividingFullWidth((highRemainder, low))
            high = highQuotient
            low = lowQuotient
            characters.append(Self.alphabet[Int(remainder)])
        }
        value = "l_" + String(characters)
    }

    /// Accepts only the shape `init()` produces, so an id never walks out of the lease directory.
    package init?(_ text: String) {
        guard text.count == 24, text.hasPrefix("l_"),
            text.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        value = text
    }

    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = LeaseID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text) is not a lease id"))
        }
        self = id
    }

    package func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    package var description: String { value }

    package static func < (lhs: LeaseID, rhs: LeaseID) -> Bool { lhs.value < rhs.value }
}

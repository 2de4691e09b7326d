import LeaseService

/// The query of `GET /v1/leases`: `?containerId=…` narrows the list to one container's leases,
/// so a runtime hook finds them again by the id it knows. An unknown parameter is refused, not
/// ignored: a misspelt filter must not answer with every lease.
struct LeaseQuery: Equatable {
    struct Failure: Error, Equatable, CustomStringConvertible {
        let description: String
        let field: String?
    }

    static let parameters = ["containerId"]

    var containerID: String?

    /// Reads the query of `target` (the request target, `path?query`).
    init(target: String) throws(Failure) {
        guard let start = target.firstIndex(of: "?") else { return }
        for pair in target[target.index(after: start)...].split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decoded(parts[0], field: nil)
            let value = try Self.decoded(parts.count == 2 ? parts[1] : "", field: name)
            switch name {
            case "containerId":
                guard containerID == nil else { throw Failure(description: "containerId is given twice; give it once.", field: name) }
                containerID = value
            default:
                throw Failure(
                    description: "unknown query parameter \"\(name)\"; GET /v1/leases takes \(Self.parameters.joined(separator: ", ")).",
                    field: name)
            }
        }
    }

    /// Whether `lease` is in the answer.
    func matches(_ lease: Lease) -> Bool {
        containerID.map { lease.containerID == $0 } ?? true
    }

    /// Percent-decodes one name or value (RFC 3986: `+` is itself, not a space).
    private static func decoded(_ text: Substring, field: String?) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            let high = index == utf8.endIndex ? nil : hexValue(utf8[index])
            let lowIndex = index == utf8.endIndex ? index : utf8.index(after: index)
            let low = lowIndex == utf8.endIndex ? nil : hexValue(utf8[lowIndex])
            guard let high, let low else {
                throw Failure(description: "the query has a '%' not followed by two hex digits; percent-encode it as %25.", field: field)
            }
            bytes.append(high << 4 | low)
            index = utf8.index(after: lowIndex)
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw Failure(description: "the query decodes to bytes that are not UTF-8; percent-encode the UTF-8 of the text.", field: field)
        }
        return string
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

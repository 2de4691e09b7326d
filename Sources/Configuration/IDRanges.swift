/// A set of user or group ids as ccgd.conf writes them: single ids and inclusive ranges, like
/// `1000, 100000-165535` (a rootless container's subordinate ids are a range).
package struct IDRanges: Sendable, Equatable, CustomStringConvertible {
    package var ranges: [ClosedRange<UInt32>]

    package init(_ ranges: [ClosedRange<UInt32>] = []) {
        self.ranges = ranges
    }

    package var isEmpty: Bool { ranges.isEmpty }

    package func contains(_ id: UInt32) -> Bool {
        ranges.contains { $0.contains(id) }
    }

    /// `0, 1000, 100000-165535`, as it would be written back.
    package var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ", ")
    }

    /// Parses `1000, 100000-165535`; nil when a part is not an id or a rising range of ids.
    package init?(parsing text: String) {
        var ranges: [ClosedRange<UInt32>] = []
        for part in text.split(whereSeparator: { $0 == " " || $0 == "," }) {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let low = UInt32(bounds[0]), let high = bounds.count == 2 ? UInt32(bounds[1]) : low, low <= high else {
                return nil
            }
            ranges.append(low...high)
        }
        self.ranges = ranges
    }
}

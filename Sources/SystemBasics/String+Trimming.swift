extension StringProtocol {
    /// Without the leading and trailing characters `isTrimmed` accepts (FoundationEssentials has no trimming by set).
    package func trimmed(while isTrimmed: (Character) -> Bool) -> SubSequence {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    /// Without leading and trailing white space.
    package var trimmedOfWhitespace: String { String(trimmed(while: \.isWhitespace)) }
}

extension StringProtocol {
    /// Without leading and trailing white space (FoundationEssentials has no trimming by set).
    package var trimmedOfWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

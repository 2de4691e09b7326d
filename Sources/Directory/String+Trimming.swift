extension String {
    /// Without leading and trailing characters of `set` (FoundationEssentials has no trimming by set).
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}

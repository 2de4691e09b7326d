extension Duration {
    /// The duration in seconds, fractions included (for metrics, messages and TimeInterval settings).
    package var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

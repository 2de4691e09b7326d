/// A duration as ccgd.conf writes it (`500ms`, `10s`, `2m`, `1h`): what `ccgctl plugin list`
/// prints, so that a value can be copied back into the file.
package enum DurationText {
    package static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        for (suffix, scale) in [("h", Int64(3_600_000)), ("m", 60_000), ("s", 1000)] where milliseconds >= scale && milliseconds % scale == 0 {
            return "\(milliseconds / scale)\(suffix)"
        }
        return "\(milliseconds)ms"
    }
}

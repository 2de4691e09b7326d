import ArgumentParser

/// ccgd-bench: `latency` (the default) measures one daemon's warm leases and memory; `compare`
/// runs the peers and every kind of lease side by side against the test domain and prints one
/// table (scripts/bench); `derive` is the key-derivation step of the command chain `compare` times.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccgd-bench",
        abstract: "Benchmarks of ccgd against the test domain; figures are reported, never asserted.",
        subcommands: [Bench.self, Compare.self, Derive.self],
        defaultSubcommand: Bench.self)
}

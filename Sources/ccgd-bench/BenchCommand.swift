import ArgumentParser

/// ccgd-bench: `latency` (the default) measures one daemon's warm leases and memory; `compare`
/// runs the peers and every kind of lease side by side against the test domain and prints one
/// table (scripts/bench); `fleet` restarts many daemons together and reports the DC's load
/// (scripts/fleet); `derive` is the key-derivation step of the command chain `compare` times.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccgd-bench",
        abstract: "Benchmarks of ccgd against the test domain; figures are reported, never asserted.",
        subcommands: [Bench.self, Compare.self, Fleet.self, Soak.self, Derive.self],
        defaultSubcommand: Bench.self)
}

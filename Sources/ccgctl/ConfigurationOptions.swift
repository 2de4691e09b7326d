import ArgumentParser
import Configuration

/// `--config`, shared by the commands that read ccgd.conf.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "ccgd's configuration file.")
    var path = ServiceConfiguration.defaultPath

    func load() throws(CommandFailure) -> ServiceConfiguration {
        try DaemonOptions.load(path, named: path != ServiceConfiguration.defaultPath)
    }
}

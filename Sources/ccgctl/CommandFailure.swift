import ArgumentParser

/// A failure ccgctl reports in its own words (never ccgd's routes, never a Swift signature),
/// with the exit status a script tests. Usage errors stay argument-parser's (64).
struct CommandFailure: Error, CustomStringConvertible {
    /// The exit statuses `ccgctl --help` documents.
    enum Status: Int32 {
        /// ccgd, the domain or a plug-in refused or failed.
        case failure = 1
        /// `health`: ccgd answers but is degraded.
        case degraded = 2
        /// No such lease or CredSpec.
        case notFound = 3
        /// ccgd cannot be reached (sysexits EX_UNAVAILABLE).
        case unavailable = 69
        /// The configuration file is missing or has problems (sysexits EX_CONFIG).
        case configuration = 78
    }

    let status: Status
    let description: String

    init(_ status: Status, _ description: String) {
        self.status = status
        self.description = description
    }

    /// The table `--help` shows (lines under 80 columns: argument-parser wraps longer ones flush left).
    static let statusHelp = """
        EXIT STATUS
          0   done; health: ccgd is ok
          1   ccgd, the domain or a plug-in failed or refused (the message says
              why), or fetch, doctor or credspec validate found a problem
          2   health: ccgd answers but is degraded (the reasons are printed)
          3   not found: no such lease, or no such CredSpec in ccgd's directory
          64  usage: an unknown command or option, a missing or bad argument
          69  ccgd cannot be reached: no socket, nobody listening, no permission
          78  the configuration file is missing or has problems
        """
}

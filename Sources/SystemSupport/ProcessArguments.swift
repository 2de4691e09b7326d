import SystemBasics

/// This process's command line. A preloaded library (libfaketime, which the rotation tests use)
/// can leave Swift's argument vector empty; the kernel's copy in /proc/self/cmdline is then the truth.
package enum ProcessArguments {
    /// The arguments, the program's name first.
    package static var current: [String] {
        let arguments = CommandLine.arguments
        guard arguments.isEmpty, let bytes = try? WholeFile.read(path: "/proc/self/cmdline") else { return arguments }
        // Each argument ends with a NUL: the piece after the last one is empty.
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }
}

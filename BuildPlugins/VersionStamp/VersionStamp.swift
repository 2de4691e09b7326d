import Foundation
import PackagePlugin

/// Writes the repository's VERSION file into the target as `stampedVersion`, so that `--version`,
/// GET /v1/health and the Debian package (scripts/package) say one version. VERSION is the
/// command's input: changing it rebuilds the target and nothing else.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let version = context.package.directoryURL.appending(path: "VERSION")
        let output = context.pluginWorkDirectoryURL.appending(path: "StampedVersion.swift")
        // Only the characters a Debian version may hold pass: a stray quote cannot break the Swift file.
        let script = """
            v=$(sed -n '1{s/[^0-9A-Za-z.+~-]//g;p;}' "$0")
            [ -n "$v" ] || { echo "VersionStamp: $0 holds no version (e.g. 0.1.0)" >&2; exit 1; }
            printf 'let stampedVersion = "%s"\\n' "$v" >"$1"
            """
        return [
            .buildCommand(
                displayName: "Stamping the version from VERSION",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, version.path, output.path],
                inputFiles: [version],
                outputFiles: [output])
        ]
    }
}

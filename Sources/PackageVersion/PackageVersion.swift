/// ccgd's version, from the repository's VERSION file (the VersionStamp build plug-in writes
/// `stampedVersion`): what `ccgd --version`, `ccgctl --version` and GET /v1/health say, and the
/// Debian package's version (scripts/package).
package enum PackageVersion {
    package static let string = stampedVersion
}

import PackageVersion

/// What ccgd says about itself: in `GET /v1/health`, `ccgd_build_info` and `ccgctl health`.
package enum BuildInfo {
    /// The repository's VERSION (PackageVersion), as `ccgd --version` says it.
    package static let version = PackageVersion.string
}

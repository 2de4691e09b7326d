/// What ccgd says about itself: in `GET /v1/health`, `ccgd_build_info` and `ccgctl health`.
public enum BuildInfo {
    public static let version = "0.1.0"
}

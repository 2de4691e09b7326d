// swift-tools-version:6.0
import PackageDescription

// The dependency arrows point one way: executables → CredentialGuard → Directory/Kerberos/
// ManagedPassword → C shims. CredSpec and CCGPlugin depend on nothing of ours.
let package = Package(
    name: "ccgd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ccgd", targets: ["ccgd"]),
        .executable(name: "ccgctl", targets: ["ccgctl"]),
        .library(name: "CCGPlugin", targets: ["CCGPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C shims: a module map and one header each.
        .systemLibrary(name: "CKrb5", path: "Sources/CKrb5"),
        .systemLibrary(name: "CLDAP", path: "Sources/CLDAP", pkgConfig: "ldap"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),

        // Pure logic.
        .target(name: "CredSpec"),
        .target(name: "DurableFiles"),
        .target(name: "CCGPlugin"),

        // Bundled plug-ins: each sees CCGPlugin only.
        .target(name: "FilePlugin", dependencies: ["CCGPlugin"], path: "Plugins/FilePlugin"),

        // Owning Swift types over the C libraries.
        .target(name: "ManagedPassword", dependencies: ["CKrb5", "COpenSSL"]),
        .target(name: "Kerberos", dependencies: ["CKrb5", "ManagedPassword", "DurableFiles"]),
        .target(name: "Directory", dependencies: ["CLDAP", "CKrb5", "Kerberos", "ManagedPassword"]),

        // The pipeline (and later the daemon): CredSpec + credentials → keys, keytab, tickets.
        .target(
            name: "CredentialGuard",
            dependencies: [
                "CredSpec", "CCGPlugin", "FilePlugin", "ManagedPassword", "Kerberos", "Directory", "DurableFiles",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(
            name: "ccgctl",
            dependencies: [
                "CredentialGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ccgd",
            dependencies: [
                "CredentialGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "CredSpecTests", dependencies: ["CredSpec"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ManagedPasswordTests", dependencies: ["ManagedPassword", "CKrb5"]),
        .testTarget(name: "KerberosTests", dependencies: ["Kerberos"]),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory"]),
        .testTarget(name: "DurableFilesTests", dependencies: ["DurableFiles"]),
        .testTarget(name: "CCGPluginTests", dependencies: ["CCGPlugin"]),
        .testTarget(name: "FilePluginTests", dependencies: ["FilePlugin", "CCGPlugin"]),
        .testTarget(name: "ExecPluginTests", dependencies: ["CredentialGuard", "CCGPlugin"], resources: [.copy("Scripts")]),
        .testTarget(name: "CredentialGuardTests", dependencies: ["CredentialGuard", "CCGPlugin", "CredSpec", "ManagedPassword", "Kerberos"]),
        .testTarget(name: "IntegrationTests", dependencies: ["CredentialGuard", "Directory", "Kerberos", "ManagedPassword", "CredSpec", "CCGPlugin", "FilePlugin"]),
    ],
    swiftLanguageModes: [.v6]
)

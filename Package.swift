// swift-tools-version:6.0
import PackageDescription

// Linux only: ccgd is built on pidfd and epoll, SO_PEERCRED, /proc, mount namespaces and glibc, so
// no other platform is built or guarded for.
//
// The dependency arrows point one way: executables → front ends (SocketAPI, ECSFrontEnd; ccgctl's
// OperatorTools) → the core (LeaseService → DirectoryPipeline → PluginHost → Observability →
// SystemSupport) → the wrappers of the C libraries (Directory → Kerberos → KerberosKeys) → leaves
// and C shims. CCGPlugin, what plug-in authors link, depends only on its C ABI header and
// SecretMemory. docs/architecture.md draws the layers, and scripts/check-layers holds every
// target's imports to that drawing.
let package = Package(
    name: "ccgd",
    products: [
        .executable(name: "ccgd", targets: ["ccgd"]),
        .executable(name: "ccgctl", targets: ["ccgctl"]),
        .executable(name: "ccgd-oci-hook", targets: ["ccgd-oci-hook"]),
        .executable(name: "ccgd-runtime", targets: ["ccgd-runtime"]),
        // The AWS Secrets Manager plug-in: a program of its own, so HTTP and TLS stay out of ccgd.
        .executable(name: "ccgd-aws-plugin", targets: ["ccgd-aws-plugin"]),
        .library(name: "CCGPlugin", targets: ["CCGPlugin", "CCGPluginABI", "SecretMemory"]),
        // A shared-object plug-in, built for the tests to load.
        .library(name: "SampleSwiftPlugin", type: .dynamic, targets: ["SampleSwiftPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The clients of credentials-fetcher's gRPC protocol in the benchmark and the tests (ccgd's server is its own).
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
    ],
    targets: [
        // C shims: a module map and one header each.
        .systemLibrary(name: "CKrb5", path: "Sources/CKrb5"),
        .systemLibrary(name: "CLDAP", path: "Sources/CLDAP", pkgConfig: "ldap"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),

        // Whole-file reads, trimming, Duration as seconds: the small helpers of every module, the
        // OCI hook and the shim included (no Foundation, no swift-system: SystemSupport builds on it).
        .target(name: "SystemBasics"),

        // Pure logic.
        // JSON text read and written keeping member order and number spelling, with one rule set and
        // positioned errors: pure Swift (no Foundation), so the OCI hook and the runtime shim link it.
        .target(name: "JSON"),
        .target(name: "CredSpec", dependencies: ["DomainModel", "JSON", "SystemBasics"]),
        // The one client of ccgd's socket API (ccgctl, the OCI hook, the tests): HTTP/1.1 on a Unix
        // socket, blocking, without NIO or Foundation, so the hook stays single-threaded and small.
        .target(name: "SocketClient"),
        // The lease request and answer documents of the socket API, written and read the same way by
        // the server, ccgctl and the OCI hook (Foundation-free, so the hook links it).
        .target(name: "LeaseDocuments", dependencies: ["JSON", "ContainerRequest"]),
        .target(name: "DurableFiles", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "CCGPluginABI"), // ccgd_plugin.h, the C ABI of shared-object plug-ins
        .target(name: "SecretMemory"),
        .target(name: "DomainModel", dependencies: ["SystemBasics"]), // what names a domain's parts (AccountName, DomainController): no C library
        .target(name: "ProcessIdentity", dependencies: ["SystemBasics"]), // a process's start time and the boot id: a lease holder's identity
        .target(name: "CProcessWatch"), // pidfd_open and epoll, which Swift's Glibc module does not export
        .target(name: "CCGPlugin", dependencies: ["CCGPluginABI", "SecretMemory"]),
        // The version of VERSION, stamped in at build time (--version, /v1/health, the Debian package).
        .target(name: "PackageVersion", plugins: ["VersionStamp"]),
        .plugin(name: "VersionStamp", capability: .buildTool(), path: "BuildPlugins/VersionStamp"),

        // Bundled plug-ins: each sees CCGPlugin only (the file plug-in also DurableFiles' ContainedPath:
        // a Kubernetes Secret volume's symlinks followed only inside the credentials directory).
        .target(name: "FilePlugin", dependencies: ["CCGPlugin", "SecretMemory", "DurableFiles"], path: "Plugins/FilePlugin"),
        .target(name: "InlinePlugin", dependencies: ["CCGPlugin"], path: "Plugins/InlinePlugin"),
        // AWS Secrets Manager, run by ccgd as an executable plug-in: libcurl and libcrypto through a C shim.
        .target(
            name: "CAWSTransport", path: "Plugins/AwsSecretsManager/CAWSTransport",
            linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("crypto")]),
        .target(name: "AwsSecretsManagerPlugin", dependencies: ["CAWSTransport", "SecretMemory"], path: "Plugins/AwsSecretsManager/Plugin"),
        .executableTarget(name: "ccgd-aws-plugin", dependencies: ["AwsSecretsManagerPlugin"], path: "Plugins/AwsSecretsManager/Main"),
        // Sample shared-object plug-ins (the C one is built by PluginHostTests).
        .target(name: "SampleSwiftPlugin", dependencies: ["CCGPlugin"], path: "Plugins/Samples/SwiftSample"),

        // Owning Swift types over the C libraries.
        // Key material: the managed password blob, salts, string-to-key.
        .target(name: "KerberosKeys", dependencies: ["CKrb5", "COpenSSL", "DomainModel", "SecretMemory"]),
        .target(name: "Kerberos", dependencies: ["CKrb5", "KerberosKeys", "SecretMemory", "DurableFiles"]),
        .systemLibrary(name: "CResolv", path: "Sources/CResolv"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .target(name: "Directory", dependencies: ["CLDAP", "CKrb5", "CResolv", "DomainModel", "Kerberos", "KerberosKeys", "SystemBasics"]),

        // ccgd.conf: syntax, schema, defaults, every problem with file, line and key.
        // CredSpec for CredSpecName: a [credspec NAME] section names a CredSpec as the directory does.
        .target(name: "Configuration", dependencies: ["DomainModel", "CredSpec", "SystemBasics"]),

        // The core, neutral to its front ends: nothing here speaks HTTP or gRPC. Each module has one
        // job, and the arrows point down: LeaseService → DirectoryPipeline → PluginHost → Observability
        // → SystemSupport (docs/architecture.md; scripts/check-layers checks every import).
        // Threads for blocking C calls, child processes, descriptors and file reads: the small helpers every module shares.
        .target(name: "SystemSupport", dependencies: ["CMalloc", "SecretMemory", "SystemBasics"]),
        // Metrics, the build's identity and the stable error codes every error a user can cause carries.
        .target(name: "Observability", dependencies: ["ProcessIdentity", "PackageVersion"]),
        // The plug-ins that know a portable user's credentials: registry, loaders, child processes.
        .target(
            name: "PluginHost",
            dependencies: [
                "SystemSupport", "SystemBasics", "Observability", "CCGPlugin", "CCGPluginABI", "FilePlugin", "InlinePlugin", "CredSpec", "Configuration",
                "SecretMemory", "DurableFiles", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // From a CredSpec and credentials to an account's keys: domains, directory sessions, the account cache.
        .target(
            name: "DirectoryPipeline",
            dependencies: [
                "JSON",
                "SystemSupport", "SystemBasics", "Observability", "PluginHost", "CredSpec", "CCGPlugin", "KerberosKeys", "Kerberos", "Directory",
                "DomainModel", "DurableFiles", "Configuration", .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Leases: who may have which (the access policy), their directories, holders, journal and ends.
        .target(
            name: "LeaseService",
            dependencies: [
                "JSON",
                "SystemSupport", "SystemBasics", "Observability", "PluginHost", "DirectoryPipeline", "CredSpec", "InlinePlugin",
                "KerberosKeys", "Kerberos", "DomainModel", "DurableFiles", "Configuration", "SecretMemory", "ProcessIdentity",
                "CProcessWatch", "ContainerRequest", .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),

        // ccgctl's tools, which the daemon does not link: the doctor, CredSpec authoring, and the
        // reports of a fetch or a blob (Foundation's formatting).
        .target(
            name: "OperatorTools",
            dependencies: [
                "LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport", "SystemBasics", "CredSpec", "CCGPlugin", "Configuration",
                "Directory", "DomainModel", "DurableFiles", "FilePlugin",
                "InlinePlugin", "Kerberos", "KerberosKeys",
            ]
        ),

        // The socket API: HTTP/1.1 + JSON on a Unix socket, over SwiftNIO.
        .target(
            name: "SocketAPI",
            dependencies: [
                "JSON", "LeaseDocuments", "SocketClient",
                "LeaseService", "DirectoryPipeline", "Observability", "CredSpec", "DurableFiles", "PackageVersion",
                "DomainModel", "ContainerRequest", "SystemBasics",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // credentials-fetcher's protocol (Amazon ECS) over gRPC on a Unix socket, served by the same lease keeper:
        // gRPC's HTTP/2 framing and the protocol's messages by hand over SwiftNIO's HTTP/2, so that ccgd links
        // no gRPC or protobuf runtime, no TLS stack and no full Foundation (docs/performance.md: memory).
        // credentials-fetcher's messages and gRPC's message framing, read and written by hand: bytes in, fields out.
        .target(name: "CredentialsFetcherWire", dependencies: ["CCGPlugin", "ProtobufWire"]),
        // The protobuf wire format read and written by hand (varints, fixed values, length-delimited
        // fields, nested messages, maps), within strict bounds: the messages of every gRPC front end.
        .target(name: "ProtobufWire"),
        // gRPC's unary calls over SwiftNIO's HTTP/2, for every gRPC front end: the stream handler,
        // message framing, statuses and trailers, deadlines and limits, the route table. Nothing of the core.
        .target(
            name: "GRPCUnaryServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ]
        ),
        // The CSI v1 subset the Kubernetes node plug-in serves and the kubelet's plug-in registration
        // API (the .proto files beside it), on ProtobufWire: requests read, responses written.
        .target(name: "CSIWire", dependencies: ["ProtobufWire", "SecretMemory"], exclude: ["csi.proto", "pluginregistration.proto"]),
        // The Kubernetes CSI node plug-in: a pod's ephemeral inline volume is a lease bind-mounted at its target path.
        .target(
            name: "CSIFrontEnd",
            dependencies: [
                "LeaseService", "Observability", "CSIWire", "GRPCUnaryServer", "ProtobufWire", "CMountAPI", "ContainerRequest", "CredSpec",
                "Configuration",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ECSFrontEnd",
            dependencies: [
                "JSON",
                "LeaseService", "DirectoryPipeline", "Observability", "CredSpec", "CCGPlugin", "CredentialsFetcherWire", "GRPCUnaryServer",
                "ProtobufWire", "DomainModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["credentials_fetcher.proto"]
        ),
        // The same protocol as swift-protobuf and grpc-swift generate it (committed), for the clients
        // of the benchmark and the tests: an implementation independent of ccgd's own.
        .target(
            name: "CredentialsFetcherProtocol",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        .executableTarget(
            name: "ccgctl",
            dependencies: [
                "JSON", "LeaseDocuments",
                "LeaseService", "DirectoryPipeline", "PluginHost", "SystemSupport", "Configuration", "SocketAPI", "OperatorTools", "CCGPlugin", "CredSpec",
                "Directory", "DurableFiles",
                "FilePlugin", "KerberosKeys", "DomainModel", "PackageVersion",
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ccgd",
            dependencies: [
                "LeaseService", "DirectoryPipeline", "PluginHost", "SystemSupport", "SocketAPI", "ECSFrontEnd", "CSIFrontEnd", "Configuration", "Directory",
                "Kerberos",
                "DurableFiles", "CCGPlugin",
                "PackageVersion", "ContainerRequest", "SystemBasics",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The OCI hook for Podman and CRI-O: runs at every annotated container's start, so it links
        // only the JSON reader and the mount calls glibc does not wrap (no NIO, no Foundation).
        .target(name: "CMountAPI"),
        // The annotations (and environment variables) with which a container asks ccgd for a gMSA,
        // and where the lease's files appear inside it (LeaseLayout): no Foundation, for the hook and the shim.
        .target(name: "ContainerRequest"),
        .executableTarget(
            name: "ccgd-oci-hook", dependencies: ["JSON", "LeaseDocuments", "SocketClient", "CMountAPI", "ProcessIdentity", "ContainerRequest", "SystemBasics"]),
        // The OCI runtime shim for Docker and containerd: runs for every container of its runtime,
        // so it links only the JSON reader and writer (no NIO, no Foundation) and then execs runc.
        .executableTarget(name: "ccgd-runtime", dependencies: ["JSON", "ContainerRequest", "SystemBasics"]),

        // The benchmark harness (not a test: figures are reported, never asserted).
        .executableTarget(
            name: "ccgd-bench",
            dependencies: [
                // `derive` (the command chain's key step) and the PBKDF2 floor use the project's key code.
                "KerberosKeys", "Kerberos", "DurableFiles", "SecretMemory", "COpenSSL",
                "CredentialsFetcherProtocol", "DaemonHarness",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // A ccgd started on its own directories and waited for, and the test domain's testdomain.env:
        // shared by the integration tests and ccgd-bench, so no XCTest here.
        .target(name: "DaemonHarness", path: "Tests/DaemonHarness"),
        .testTarget(name: "DaemonHarnessTests", dependencies: ["DaemonHarness", "TestSupport"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "SocketClientTests", dependencies: ["SocketClient"]),
        .testTarget(name: "LeaseDocumentsTests", dependencies: ["LeaseDocuments", "JSON", "ContainerRequest"]),
        .testTarget(name: "CredSpecTests", dependencies: ["CredSpec"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BenchTests", dependencies: ["ccgd-bench"]),
        .testTarget(name: "RuntimeShimTests", dependencies: ["ccgd-runtime", "JSON", "ContainerRequest", "TestSupport"]),
        .testTarget(name: "ContainerRequestTests", dependencies: ["ContainerRequest"]),
        .testTarget(name: "ManagedPasswordTests", dependencies: ["KerberosKeys", "CKrb5", "TestSupport"]),
        .testTarget(name: "KerberosTests", dependencies: ["Kerberos", "KerberosKeys", "DurableFiles", "TestSupport"]),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory", "TestSupport"]),
        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Directory"]),
        .testTarget(name: "DurableFilesTests", dependencies: ["DurableFiles", "TestSupport"]),
        .testTarget(name: "CCGPluginTests", dependencies: ["CCGPlugin"]),
        .testTarget(name: "SecretMemoryTests", dependencies: ["SecretMemory"]),
        .testTarget(name: "AwsSecretsManagerTests", dependencies: ["AwsSecretsManagerPlugin", "SecretMemory"]),
        .testTarget(name: "FilePluginTests", dependencies: ["FilePlugin", "CCGPlugin", "TestSupport"]),
        .testTarget(
            name: "CoreTests",
            dependencies: [
                "LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport", "CCGPlugin", "CredSpec", "KerberosKeys", "Kerberos",
                "InlinePlugin", "Directory", "DurableFiles", "OperatorTools", "Configuration",
                "ProcessIdentity", "TestSupport", "ContainerRequest",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "ECSFrontEndTests",
            dependencies: [
                "ECSFrontEnd", "CredentialsFetcherWire", "GRPCUnaryServer", "LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport",
                "CredSpec",
                "CCGPlugin", "SocketAPI", "CredentialsFetcherProtocol", "TestSupport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                // grpc-swift's client: the ECS front end's framing read and written by another implementation.
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]),
        .testTarget(name: "ProtobufWireTests", dependencies: ["ProtobufWire"]),
        .testTarget(name: "GRPCUnaryServerTests", dependencies: ["GRPCUnaryServer"]),
        .testTarget(name: "CSIFrontEndTests", dependencies: ["CSIFrontEnd", "CSIWire", "Configuration", "LeaseService", "GRPCUnaryServer", "ProtobufWire"]),
        // Python's protobuf (grpcio-tools) writes the kubelet's requests and reads the responses: Python/.
        .testTarget(name: "CSIWireTests", dependencies: ["CSIWire", "ProtobufWire", "SecretMemory", "TestSupport"], exclude: ["Python"]),
        .testTarget(name: "PluginHostTests", dependencies: ["PluginHost", "SystemSupport", "CCGPlugin", "CCGPluginABI"]),
        // Clients of ccgd's sockets in processes of other uids, for the tests of more than one target.
        .target(name: "SocketPeers", path: "Tests/SocketPeers"),
        // What several test targets need once: captured logs, temporary directories, CredSpec text
        // (XCTest allowed: only test targets depend on it). Fakes of the core's protocols apart, so
        // that the tests of lower modules do not build the core.
        .target(name: "TestSupport", dependencies: ["CredSpec", .product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .target(
            name: "CoreTestSupport", dependencies: ["LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport", "CredSpec"],
            path: "Tests/CoreTestSupport"),
        .testTarget(
            name: "SocketAPITests",
            dependencies: [
                "SocketAPI", "SocketPeers", "LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport", "CredSpec", "Kerberos",
                "Configuration", "TestSupport", "CoreTestSupport", "ContainerRequest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ExecPluginTests",
            dependencies: ["PluginHost", "SystemSupport", "CCGPlugin", "TestSupport", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Scripts")]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "LeaseService", "DirectoryPipeline", "PluginHost", "Observability", "SystemSupport", "Directory", "Kerberos", "KerberosKeys", "CredSpec",
                "CCGPlugin", "FilePlugin", "Configuration",
                "SocketAPI", "SocketPeers", "OperatorTools", "DurableFiles", "ECSFrontEnd", "CredentialsFetcherWire", "TestSupport", "DaemonHarness",
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ], exclude: ["ECS", "CSI"]),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer targets for the parsers of untrusted input (scripts/fuzz, docs/fuzzing.md). Declared
// only under CCGD_FUZZ=1: they link against libFuzzer's main, which only a sanitizer build has.
if Context.environment["CCGD_FUZZ"] == "1" {
    let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
        ("CredSpec", ["CredSpec"]), ("ManagedPasswordBlob", ["KerberosKeys"]), ("Configuration", ["Configuration"]),
        ("PluginAnswer", ["PluginHost"]), ("LeaseRequest", ["SocketAPI", "LeaseService", "CredSpec", "JSON"]),
        ("CredentialsFetcherMessage", ["CredentialsFetcherWire", "GRPCUnaryServer", "ProtobufWire"]), ("CSIRequest", ["CSIWire", "ProtobufWire"]),
        ("LDAPPingAnswer", ["Directory"]),
    ]
    package.targets += fuzzers.map { fuzzer in
        .executableTarget(
            name: "Fuzz\(fuzzer.name)", dependencies: fuzzer.dependencies, path: "Fuzz/\(fuzzer.name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
}

// Release builds (`swift build -c release`, and the package's, scripts/lib/release-flags.sh) lay
// ccgd out for a small idle process: Swift's libraries linked in, every function of the project's
// modules in a section of its own, the sections in packaging/ccgd.order's order and no exported
// symbols; so an idle ccgd maps the few hundred kilobytes it runs rather than the pages around
// them (docs/performance.md, Memory). A manifest cannot give the packages it depends on these
// flags (scripts/package passes -function-sections on its command line), so their code stays in
// one section per module in `swift build -c release`. Debug builds (the tests) and the fuzzers
// are left alone.
let release = BuildSettingCondition.when(configuration: .release)
for target in package.targets where [.regular, .executable].contains(target.type) {
    // The tests' helpers under Tests/ are built by `swift build -c release` too, and XCTest has no static module.
    let linkedIn = !(target.path ?? "").hasPrefix("Tests/")
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags((linkedIn ? ["-static-stdlib"] : []) + ["-Xfrontend", "-function-sections"], release)]
    target.cSettings = (target.cSettings ?? []) + [.unsafeFlags(["-ffunction-sections"], release)]
}
for target in package.targets where target.type == .executable {
    target.linkerSettings =
        (target.linkerSettings ?? []) + [
            .unsafeFlags(
                [
                    "-static-stdlib", "-Xlinker", "--section-ordering-file=\(Context.packageDirectory)/packaging/ccgd.order",
                    "-Xlinker", "--no-export-dynamic",
                ], release)
        ]
}

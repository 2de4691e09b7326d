import CCGPlugin
import Foundation
import XCTest
import Glibc
import PluginHost

/// A private temporary directory (0700, owned by the test's user) holding sample plug-ins the
/// tests build or copy; removed by `remove()`. Loaded libraries stay mapped after removal.
struct PluginDirectory {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let cSample = packageRoot + "/Plugins/Samples/CSample/sample_plugin.c"
    static let abiHeaders = packageRoot + "/Sources/CCGPluginABI/include"

    let path: String

    init() throws {
        var template = Array("/tmp/ccgd-plugin-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }

    func remove() {
        _ = chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Compiles the C sample into `name` here; `defines` pick a broken variant (then without -Wall).
    func cSample(_ name: String = "libsample_c_plugin.so", defines: [String] = []) throws -> String {
        let output = path + "/" + name
        let warnings = defines.isEmpty ? ["-Wall", "-Wextra", "-Werror"] : []
        try Self.run(
            "/usr/bin/env",
            ["cc", "-shared", "-fPIC", "-std=c11"] + warnings + defines.map { "-D" + $0 }
                + ["-I", Self.abiHeaders, "-o", output, Self.cSample])
        return output
    }

    /// Copies the Swift sample that `swift build --build-tests` linked next to the test bundle.
    func swiftSample(_ name: String = "libSampleSwiftPlugin.so") throws -> String {
        let built = try Self.builtSwiftSample()
        let output = path + "/" + name
        try FileManager.default.copyItem(atPath: built, toPath: output)
        return output
    }

    /// Writes `text` to `name` here.
    func file(_ name: String, _ text: String) throws -> String {
        let output = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        return output
    }

    /// `.build/<triple>/debug/libSampleSwiftPlugin.so`: the test bundle is an executable in that directory.
    static func builtSwiftSample() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let built = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("libSampleSwiftPlugin.so").path
        guard FileManager.default.fileExists(atPath: built) else {
            throw TestFailure("\(built) is missing; build the SampleSwiftPlugin product (swift build --build-tests builds it).")
        }
        return built
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let messages = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) failed: \(String(decoding: messages, as: UTF8.self))")
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The password every sample answers with; no error or description may show it.
let samplePassword = "sample-password"

/// Loads with the default root-ownership check when the tests run as root (they do in CI).
func loadPlugin(_ path: String) throws -> SharedObjectPlugin {
    try SharedObjectPlugin(path: path, requireRootOwnership: geteuid() == 0)
}

/// The error `body` throws, which must be a `PluginError` that shows no password.
func pluginError(_ body: () async throws -> DomainCredential, file: StaticString = #filePath, line: UInt = #line) async -> PluginError? {
    do {
        _ = try await body()
        XCTFail("no error", file: file, line: line)
    } catch let error as PluginError {
        for text in ["\(error)", String(reflecting: error), error.message] {
            XCTAssertFalse(text.contains(samplePassword), "the password shows in \(text)", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("not a PluginError: \(error)", file: file, line: line)
    }
    return nil
}

/// The error loading `path` throws, which must be a `PluginLoadError`.
func loadError(_ path: String, requireRootOwnership: Bool = geteuid() == 0, file: StaticString = #filePath, line: UInt = #line) -> PluginLoadError? {
    do {
        let plugin = try SharedObjectPlugin(path: path, requireRootOwnership: requireRootOwnership)
        XCTFail("\(plugin) loaded", file: file, line: line)
    } catch {
        return error
    }
    return nil
}

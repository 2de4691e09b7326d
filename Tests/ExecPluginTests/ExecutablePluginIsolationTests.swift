import CCGPlugin
import Foundation
import XCTest
import Glibc
import Observability

/// What a program sees of ccgd (nearly nothing), and what ccgd shows of its answer (no password).
final class ExecutablePluginIsolationTests: ExecutablePluginTestCase {
    private static let answer = #"echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'"#

    func testEnvironmentHoldsOnlyTheBaseTheSystemdCredentialsAndTheConfiguredVariables() async throws {
        setenv("CCGD_SECRET_LEAK", "1", 1)
        setenv("CREDENTIALS_DIRECTORY", "/run/credentials/ccgd.service", 1)
        defer {
            unsetenv("CCGD_SECRET_LEAK")
            unsetenv("CREDENTIALS_DIRECTORY")
        }
        let path = try script("env", "env > \"$1/environment\"\n" + Self.answer)
        let plugin = try plugin(path, environment: ["VAULT_ADDR": "https://vault.contoso.test:8200", "LANG": "de_DE.UTF-8"])
        _ = try await plugin.passwordCredentials(pluginInput: "x")
        let seen = try String(contentsOfFile: directory + "/environment", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(
            seen.sorted(),
            [
                "CREDENTIALS_DIRECTORY=/run/credentials/ccgd.service",
                "HOME=/nonexistent",
                "LANG=de_DE.UTF-8",
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "PWD=/", // the shell's own: it runs in /
                "VAULT_ADDR=https://vault.contoso.test:8200",
            ])
        XCTAssertFalse(seen.contains { $0.hasPrefix("CCGD_SECRET_LEAK") })
    }

    func testEnvironmentWithoutSystemdCredentialsIsTheBase() throws {
        unsetenv("CREDENTIALS_DIRECTORY")
        let plugin = try plugin(try script("env", Self.answer))
        XCTAssertEqual(plugin.programEnvironment, ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"])
    }

    func testProgramRunsInTheRootDirectoryWithArguments() async throws {
        let path = try script("where", "pwd > \"$1/directory\"\nprintf '%s|' \"$@\" > \"$1/arguments\"\n" + Self.answer)
        _ = try await plugin(path, arguments: [directory, "--region", "eu west"]).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(try String(contentsOfFile: directory + "/directory", encoding: .utf8), "/\n")
        XCTAssertEqual(try String(contentsOfFile: directory + "/arguments", encoding: .utf8), "\(directory)|--region|eu west|")
    }

    func testDescriptorsOfCcgdAreNotInherited() async throws {
        // Opened without O_CLOEXEC, as careless code might: only closing everything above 2 keeps it out.
        let devNull = open("/dev/null", O_RDONLY)
        XCTAssertGreaterThanOrEqual(devNull, 0)
        XCTAssertEqual(dup2(devNull, 200), 200)
        close(devNull)
        defer { close(200) }
        let path = try script(
            "fds",
            #"""
            for fd in 0 1 2 200; do [ -e "/proc/$$/fd/$fd" ] && printf '%s ' $fd; done > "$1/open"
            """# + "\n" + Self.answer)
        _ = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(try String(contentsOfFile: directory + "/open", encoding: .utf8), "0 1 2 ")
    }

    func testTwentyConcurrentCallsEachGetTheirOwnAnswer() async throws {
        let path = try script(
            "echo",
            #"""
            name=$(sed -n 's/.*"pluginInput":"\([^"]*\)".*/\1/p')
            sleep 0.2
            printf '{"domainName": "contoso.test", "username": "%s", "password": "pw-%s"}\n' "$name" "$name"
            """#)
        let plugin = try plugin(path)
        let started = ContinuousClock.now
        let answers = try await withThrowingTaskGroup(of: (String, DomainCredential).self) { group in
            for index in 1...20 {
                let name = "user\(index)"
                group.addTask { (name, try await plugin.passwordCredentials(pluginInput: name)) }
            }
            var answers: [String: DomainCredential] = [:]
            for try await (name, credential) in group { answers[name] = credential }
            return answers
        }
        XCTAssertEqual(answers.count, 20)
        for (name, credential) in answers {
            XCTAssertEqual(credential.username, name)
            XCTAssertEqual(credential.password, Password("pw-" + name))
        }
        // They overlap: twenty 0.2 s sleeps one after the other would take 4 s.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3))
    }

    func testPasswordNeverAppearsInAnyErrorDescription() async throws {
        let credentials = #"{"domainName": "contoso.test", "username": "u", "password": "S3cr3t-Pa55"}"#
        let bodies = [
            "echo 'password=S3cr3t-Pa55'",
            "echo '\(credentials)'\nexit 2",
            "echo '\(credentials)'\nkill -TERM $$",
            #"echo '{"username": "u", "password": "S3cr3t-Pa55"}'"#,
            #"echo '{"domainName": "contoso.test", "username": "u", "password": "S3cr3t-Pa55", "error": {"code": "failed"}}'"#,
            #"echo '{"domainName": "contoso.test", "password": "S3cr3t-Pa55" "username": "u"}'"#,
            #"echo '{"password": "S3cr3t-Pa55\x"}'"#,
            "echo '\(credentials)'\nsleep 30",
            "exec yes '\(credentials)'",
        ]
        for (index, body) in bodies.enumerated() {
            let path = try script("leaky\(index)", "cat > /dev/null\n" + body)
            let error = await failure(of: try plugin(path, timeout: .milliseconds(500), maximumOutput: 4096))
            let shown = error.map { "\($0) \(String(reflecting: $0)) \(($0 as? CodedError)?.description ?? "")" } ?? "no error"
            XCTAssertNotEqual(shown, "no error", body)
            XCTAssertFalse(shown.contains(Self.password), shown)
        }
    }

    func testNoChildOrZombieIsLeftBehind() async throws {
        let bodies = ["cat > /dev/null\n" + Self.answer, "sleep 30", "exec yes", "kill -SEGV $$", "exit 3"]
        for (index, body) in bodies.enumerated() {
            _ = await failure(of: try plugin(try script("run\(index)", "ulimit -c 0 2>/dev/null\n" + body), timeout: .milliseconds(300), maximumOutput: 1024))
        }
        XCTAssertEqual(try children(), [])
    }

    /// The pids whose parent is this process, zombies included.
    private func children() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").flatMap { task in
            try String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8).split(separator: " ").map(String.init)
        }
    }

    func testCredentialDescriptionHidesThePassword() async throws {
        let path = try answering(#"{"domainName": "contoso.test", "username": "u", "password": "S3cr3t-Pa55"}"#)
        let credential = try await plugin(path).passwordCredentials(pluginInput: "x")
        XCTAssertFalse("\(credential) \(String(reflecting: credential))".contains(Self.password))
    }
}

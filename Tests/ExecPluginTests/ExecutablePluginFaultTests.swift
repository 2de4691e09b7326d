import CCGPlugin
import Foundation
import XCTest
import Glibc
import PluginHost

/// Programs that fail, hang, crash or print the wrong thing: each a clear error naming the program.
final class ExecutablePluginFaultTests: ExecutablePluginTestCase {
    private static let format = "print one JSON object with domainName, username and password, or with error."

    /// Issue 15: stderr may hold anything (a secret a script echoed): the log gets it, the error never.
    func testNonZeroExitLogsStderrButKeepsItOutOfTheError() async throws {
        let path = try script("vault", "cat > /dev/null\necho 'vault: permission denied for Marker-7f3a' >&2\nexit 3")
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? ExecutablePluginError, .exitStatus(path: path, status: 3, loggedErrorOutput: true))
        XCTAssertEqual(
            "\(error!)", "executable plug-in \(path) exited with status 3 without an error answer; see the daemon's log for the plug-in's output (stderr).")
        XCTAssertFalse("\(error!)".contains("Marker-7f3a"))
        XCTAssertEqual((error as? ExecutablePluginError)?.code, .pluginFailed)
        let logged = log.lines.filter { $0.contains("Marker-7f3a") }
        XCTAssertEqual(logged.count, 1, "\(log.lines)")
        XCTAssertTrue(logged.first?.hasPrefix("warning ") == true, "\(logged)")
        XCTAssertTrue(logged.first?.contains(path) == true, "\(logged)")
    }

    func testNoAnswerLogsStderrButKeepsItOutOfTheError() async throws {
        let path = try script("quiet", "cat > /dev/null\necho 'token=Marker-51ab' >&2")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(message, "executable plug-in \(path) exited with status 0 but printed nothing; see the daemon's log for the plug-in's output (stderr).")
        XCTAssertEqual(log.lines.filter { $0.contains("Marker-51ab") }.count, 1, "\(log.lines)")
    }

    func testNonZeroExitWithoutStderrSaysSo() async throws {
        let path = try script("vault", "exit 4")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(
            message, "executable plug-in \(path) exited with status 4 without an error answer and wrote nothing to stderr; run it by hand to see why.")
    }

    func testNonZeroExitIgnoresCredentialsOnStdout() async throws {
        let path = try answering(#"{"domainName": "contoso.test", "username": "u", "password": "p"}"#, exitStatus: 2)
        let message = await message(of: try plugin(path))
        XCTAssertEqual(
            message, "executable plug-in \(path) exited with status 2 without an error answer and wrote nothing to stderr; run it by hand to see why.")
    }

    func testStderrKeepsItsLastTwoKilobytesWithControlCharactersEscaped() async throws {
        let path = try script(
            "noisy",
            #"""
            i=0
            while [ $i -lt 300 ]; do echo "line $i of noise" >&2; i=$((i+1)); done
            printf 'last\tline\033[0m\n' >&2
            exit 1
            """#)
        var written = Array((0..<300).map { "line \($0) of noise\n" }.joined().utf8) + Array("last\tline\u{1B}[0m\n".utf8)
        written.removeFirst(written.count - 2048)
        let tail = String(decoding: written, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\u{1B}", with: "\\u001b")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(
            message, "executable plug-in \(path) exited with status 1 without an error answer; see the daemon's log for the plug-in's output (stderr).")
        let logged = try XCTUnwrap(log.lines.first { $0.contains("stderr") })
        XCTAssertTrue(logged.contains("…\(tail)"), logged)
        XCTAssertTrue(logged.contains(#"line 299 of noise\nlast\tline\u001b[0m"#), logged)
        XCTAssertFalse(logged.contains("\n") || logged.contains("\u{1B}"), "one line, no raw control characters")
    }

    func testCrashBySignalNamesTheSignal() async throws {
        let path = try script("crash", "ulimit -c 0 2>/dev/null\necho 'about to crash' >&2\nkill -SEGV $$")
        let error = await failure(of: try plugin(path))
        XCTAssertEqual(error as? ExecutablePluginError, .killedBySignal(path: path, signal: SIGSEGV, loggedErrorOutput: true))
        XCTAssertEqual("\(error!)", "executable plug-in \(path) was killed by signal SIGSEGV (11); see the daemon's log for the plug-in's output (stderr).")
        XCTAssertTrue(log.lines.contains { $0.contains("about to crash") }, "\(log.lines)")
    }

    func testSignalWithoutStderrSaysSo() async throws {
        let path = try script("killed", "kill -KILL $$")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(message, "executable plug-in \(path) was killed by signal SIGKILL (9) and wrote nothing to stderr; run it by hand to see why.")
    }

    func testTimeoutStopsTheWholeProcessGroupPromptly() async throws {
        let path = try script(
            "hang",
            #"""
            echo $$ > "$1/leader.new" && mv "$1/leader.new" "$1/leader"
            sleep 30 &
            echo $! > "$1/sleeper.new" && mv "$1/sleeper.new" "$1/sleeper"
            wait
            """#)
        let started = ContinuousClock.now
        let error = await failure(of: try plugin(path, timeout: .milliseconds(500)))
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(error as? ExecutablePluginError, .timedOut(path: path, seconds: 0.5))
        XCTAssertEqual(
            "\(error!)", "executable plug-in \(path) did not finish within 0.5 s and was stopped; check the secret store it asks, or give it a longer timeout.")
        XCTAssertEqual((error as? ExecutablePluginError)?.code, .pluginTimeout)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(500))
        XCTAssertLessThan(elapsed, .seconds(5))
        XCTAssertTrue(isGone(try pid(in: "leader")), "the script still runs")
        XCTAssertTrue(isGone(try pid(in: "sleeper")), "its sleep still runs")
    }

    func testProgramThatIgnoresTermIsKilledAfterTheGrace() async throws {
        let path = try script(
            "stubborn",
            #"""
            trap '' TERM
            echo $$ > "$1/leader.new" && mv "$1/leader.new" "$1/leader"
            sleep 30
            """#)
        let started = ContinuousClock.now
        let error = await failure(of: try plugin(path, timeout: .milliseconds(500)))
        XCTAssertEqual(error as? ExecutablePluginError, .timedOut(path: path, seconds: 0.5))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertTrue(isGone(try pid(in: "leader")))
    }

    func testProgramThatClosesStdoutAndLingersStillTimesOut() async throws {
        let path = try script("lingering", "exec >&- 2>&-\nsleep 30")
        let error = await failure(of: try plugin(path, timeout: .milliseconds(300)))
        XCTAssertEqual(error as? ExecutablePluginError, .timedOut(path: path, seconds: 0.3))
    }

    func testBackgroundChildHoldingStdoutDoesNotOutliveTheAnswer() async throws {
        let path = try script(
            "forking",
            #"""
            cat > /dev/null
            sleep 30 &
            echo $! > "$1/sleeper.new" && mv "$1/sleeper.new" "$1/sleeper"
            echo '{"domainName": "contoso.test", "username": "u", "password": "p"}'
            """#)
        let started = ContinuousClock.now
        let credential = try await plugin(path, timeout: .seconds(20)).passwordCredentials(pluginInput: "x")
        XCTAssertEqual(credential.username, "u")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertTrue(isGone(try pid(in: "sleeper")), "what it left running in its group still runs")
    }

    func testCancellingTheCallStopsTheProgram() async throws {
        let path = try script(
            "hang",
            #"""
            echo $$ > "$1/leader.new" && mv "$1/leader.new" "$1/leader"
            sleep 30
            """#)
        let plugin = try plugin(path, timeout: .seconds(20))
        let started = ContinuousClock.now
        let call = Task { try await plugin.passwordCredentials(pluginInput: "x") }
        waitForFile("leader")
        call.cancel()
        do {
            _ = try await call.value
            XCTFail("no error")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        XCTAssertTrue(isGone(try pid(in: "leader")))
    }

    func testGarbageOnStdoutIsRefusedWithoutEchoingIt() async throws {
        let path = try script("garbage", "cat > /dev/null\necho 'password=S3cr3t-Pa55'")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(message, "the answer of executable plug-in \(path) is not a JSON object (unexpected character at byte 1); \(Self.format)")
    }

    func testMalformedAnswersSayWhereTheyBreak() async throws {
        let cases: [(answer: String, problem: String)] = [
            (#"["S3cr3t-Pa55"]"#, "it is another JSON value"),
            (#"{"password": }"#, "unexpected character at byte 14"),
            (#"{"password": "S3cr3t-Pa55"#, "unterminated string at the end"),
            (#"{"password": "S3cr3t-Pa55"} {}"#, "text after the JSON value at byte 29"),
            (#"{"password": "S3cr3t\q"}"#, "an unknown escape at byte 22"),
            (#"{"password": "S3cr3t\u00"}"#, "a malformed \\u escape at byte 25"),
            ("{\"password\": \"S3cr3t\u{1}\"}", "a control character in a string at byte 21"),
            (#"{"password" "S3cr3t-Pa55"}"#, "expected \":\" at byte 13"),
            (#"{"password": "S3cr3t-Pa55",}"#, "expected a member name at byte 28"),
            (#"{"password": 01}"#, "malformed number at byte 14"),
            (#"{"password": tru}"#, "unexpected character at byte 14"),
            (String(repeating: #"{"a":"#, count: 40), "nested too deeply at byte 161"),
            ("", "no value at the end"),
        ]
        for (answer, problem) in cases {
            let path = try answering(answer + " ")
            let message = await message(of: try plugin(path))
            if answer.isEmpty {
                XCTAssertEqual(message, "executable plug-in \(path) exited with status 0 but printed nothing; \(Self.format)")
            } else {
                XCTAssertEqual(message, "the answer of executable plug-in \(path) is not a JSON object (\(problem)); \(Self.format)", answer)
            }
        }
    }

    func testStringThatIsNotUTF8IsRefused() async throws {
        try Data([0x7B, 0x22, 0x70, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]).write(to: URL(fileURLWithPath: directory + "/answer"))
        let path = try script("latin1", "cat > /dev/null\ncat \"$1/answer\"")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(message, "the answer of executable plug-in \(path) is not a JSON object (a string that is not UTF-8 at byte 6); \(Self.format)")
    }

    func testOutputOverTheLimitStopsTheProgram() async throws {
        let path = try script("flood", #"exec yes '{"password": "S3cr3t-Pa55"}'"#)
        let started = ContinuousClock.now
        let error = await failure(of: try plugin(path, maximumOutput: 1024))
        XCTAssertEqual(error as? ExecutablePluginError, .outputTooLarge(path: path, limit: 1024))
        XCTAssertEqual("\(error!)", "executable plug-in \(path) printed more than 1024 bytes and was stopped; an answer is one small JSON object.")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
    }

    func testOneByteOverTheLimitIsTooMuch() async throws {
        let path = try answering(String(repeating: " ", count: 1025))
        let error = await failure(of: try plugin(path, maximumOutput: 1024))
        XCTAssertEqual(error as? ExecutablePluginError, .outputTooLarge(path: path, limit: 1024))
    }

    func testEmptyFieldsAreRefused() async throws {
        let cases: [(answer: String, field: String)] = [
            (#"{"domainName": "", "username": "u", "password": "p"}"#, "domainName"),
            (#"{"domainName": "contoso.test", "username": "", "password": "p"}"#, "username"),
            (#"{"domainName": "contoso.test", "username": "u", "password": ""}"#, "password"),
            (#"{"domainName": "contoso.test", "username": "u"}"#, "password"),
            (#"{"domainName": "contoso.test", "username": 7, "password": "p"}"#, "username"),
            ("{}", "domainName"),
        ]
        for (answer, field) in cases {
            let path = try answering(answer)
            let error = await failure(of: try plugin(path))
            XCTAssertEqual(error as? ExecutablePluginError, .missingField(path: path, field: field), answer)
            XCTAssertEqual("\(error!)", "the answer of executable plug-in \(path) has no non-empty string \"\(field)\"; \(Self.format)")
        }
    }

    func testExitZeroWithoutOutputIsRefused() async throws {
        let path = try script("silent", "cat > /dev/null")
        let message = await message(of: try plugin(path))
        XCTAssertEqual(message, "executable plug-in \(path) exited with status 0 but printed nothing; \(Self.format)")
    }

    func testScriptWithoutInterpreterLineCannotStart() async throws {
        let path = try file("bare", "echo hello\n", mode: 0o755)
        let message = await message(of: try plugin(path))
        XCTAssertEqual(
            message, "cannot start executable plug-in \(path): Exec format error; check that it is a program for this machine or a script that starts with #!.")
    }
}

import XCTest

@testable import ccgd_runtime

/// runc's command line as containerd's shim, Docker and ctr give it: the shim finds the
/// subcommand and the bundle as runc would, and hands every argument over unchanged.
final class RuntimeCommandLineTests: XCTestCase {
    private func parse(_ arguments: [String]) throws -> RuntimeCommandLine {
        try RuntimeCommandLine(arguments)
    }

    func testContainerdsCreateFindsTheBundleAndKeepsEveryArgument() throws {
        // What containerd-shim-runc-v2 runs for Docker 20.10 (seen in a test run).
        let arguments = [
            "--root", "/run/docker/runtime-runc/moby", "--log", "/run/b/log.json", "--log-format", "json", "create",
            "--bundle", "/run/b", "--pid-file", "/run/b/init.pid", "6e69acf22a39",
        ]
        let commandLine = try parse(arguments)
        XCTAssertEqual(commandLine.action, .create(bundle: "/run/b", containerID: "6e69acf22a39"))
        XCTAssertEqual(commandLine.runtimeArguments, arguments)
        XCTAssertEqual(commandLine.log, "/run/b/log.json")
        XCTAssertEqual(commandLine.logFormat, "json")
        XCTAssertNil(commandLine.runtime)
        XCTAssertNil(commandLine.hooksFile)
    }

    func testEverySpellingOfTheBundleOptionIsFound() throws {
        for spelling in [["-b", "/x"], ["-b=/x"], ["--bundle=/x"], ["-bundle", "/x"], ["--b", "/x"]] {
            XCTAssertEqual(try parse(["create"] + spelling + ["id"]).action, .create(bundle: "/x", containerID: "id"), "\(spelling)")
        }
    }

    func testOptionsAfterTheContainerIDCountAsRuncReordersThem() throws {
        XCTAssertEqual(try parse(["create", "id", "--bundle", "/x", "--no-pivot"]).action, .create(bundle: "/x", containerID: "id"))
        XCTAssertEqual(try parse(["run", "-d", "id", "-b", "/y", "--keep"]).action, .create(bundle: "/y", containerID: "id"))
    }

    func testTheLastBundleWinsAsInGosFlagPackage() throws {
        XCTAssertEqual(try parse(["create", "--bundle", "/a", "--bundle", "/b", "id"]).action, .create(bundle: "/b", containerID: "id"))
    }

    func testWithoutABundleOptionTheWorkingDirectoryIsTheBundle() throws {
        XCTAssertEqual(try parse(["create", "--console-socket", "/s", "id"]).action, .create(bundle: ".", containerID: "id"))
        XCTAssertEqual(try parse(["run", "id"]).action, .create(bundle: ".", containerID: "id"))
    }

    func testValuesOfOtherOptionsAreNotTakenForTheContainerOrSubcommand() throws {
        // "create" as --root's value and "--pid-file"'s value must not be mistaken.
        XCTAssertEqual(try parse(["--root", "create", "--criu", "/c", "--rootless", "auto", "delete", "id"]).action, .handOver)
        XCTAssertEqual(
            try parse(["--log=/l", "--debug", "--systemd-cgroup", "create", "--pid-file", "p", "--preserve-fds", "2", "id"]).action,
            .create(bundle: ".", containerID: "id"))
        XCTAssertEqual(try parse(["-debug=true", "-root=/r", "create", "-console-socket=/s", "id"]).action, .create(bundle: ".", containerID: "id"))
    }

    func testDoubleDashEndsTheOptions() throws {
        XCTAssertEqual(try parse(["--", "create", "--", "id"]).action, .create(bundle: ".", containerID: "id"))
        XCTAssertEqual(try parse(["create", "id", "--", "-b", "/x"]).action, .handOver, "runc refuses three container ids")
    }

    func testOtherSubcommandsAndHelpAreHandedOverUntouched() throws {
        for arguments in [
            ["start", "id"], ["kill", "id", "KILL"], ["delete", "--force", "id"], ["state", "id"], ["--help"], ["-v"],
            ["--version", "create", "id"], ["create", "--help"], ["create", "-h", "id"], ["create"], ["create", "a", "b"],
            ["exec", "--bundle", "/x", "id"], [], ["--root"], ["create", "--bundle"],
        ] {
            let commandLine = try parse(arguments)
            XCTAssertEqual(commandLine.action, .handOver, "\(arguments)")
            XCTAssertEqual(commandLine.runtimeArguments, arguments)
        }
    }

    func testAnOptionRuncDoesNotKnowIsHandedOverForRuncToRefuse() throws {
        // Whether a value follows is unknown: the shim looks no further.
        XCTAssertEqual(try parse(["--bogus", "create", "id"]).action, .handOver)
        XCTAssertEqual(try parse(["create", "--bogus", "id"]).action, .handOver)
        XCTAssertEqual(try parse(["---root", "/r", "create", "id"]).action, .handOver)
        // With its value attached it cannot take the next argument, so parsing goes on.
        XCTAssertEqual(try parse(["--cgroup-manager=cgroupfs", "create", "id"]).action, .create(bundle: ".", containerID: "id"))
    }

    func testLeadingCcgdOptionsAreTakenOffAndTheRestIsUnchanged() throws {
        // Docker puts a runtime's runtimeArgs first.
        let commandLine = try parse(["--ccgd-runtime", "/usr/bin/crun", "--ccgd-hooks-file=/etc/h.json", "--root", "/r", "create", "id"])
        XCTAssertEqual(commandLine.runtime, "/usr/bin/crun")
        XCTAssertEqual(commandLine.hooksFile, "/etc/h.json")
        XCTAssertEqual(commandLine.runtimeArguments, ["--root", "/r", "create", "id"])
        XCTAssertEqual(commandLine.action, .create(bundle: ".", containerID: "id"))
        // Later, it is runc's argument: handed over.
        XCTAssertEqual(try parse(["create", "--ccgd-runtime", "x", "id"]).runtimeArguments, ["create", "--ccgd-runtime", "x", "id"])
    }

    func testABadCcgdOptionFailsWithTheUsage() {
        XCTAssertThrowsError(try parse(["--ccgd-runtim", "x", "create", "id"])) { error in
            XCTAssertEqual("\(error)", "unknown option --ccgd-runtim; \(RuntimeCommandLine.usage)")
        }
        XCTAssertThrowsError(try parse(["--ccgd-hooks-file"])) { error in
            XCTAssertEqual("\(error)", "--ccgd-hooks-file needs a value; \(RuntimeCommandLine.usage)")
        }
        XCTAssertThrowsError(try parse(["--ccgd-hooks-file", "hooks.json", "start", "id"])) { error in
            XCTAssertEqual("\(error)", "--ccgd-hooks-file needs an absolute path, not hooks.json; \(RuntimeCommandLine.usage)")
        }
    }
}

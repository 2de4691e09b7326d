import ContainerRequest
import JSON
import Foundation
import XCTest

@testable import ccgd_runtime

/// What the shim changes in a bundle's config.json: the hook and the annotations for a
/// container that asks for a CredSpec; nothing for one that does not.
final class ContainerConfigurationTests: XCTestCase {
    private let hooksFile = """
        {"version": "1.0.0", "hook": {"path": "/usr/local/libexec/ccgd/ccgd-oci-hook", "args": ["ccgd-oci-hook", "--socket", "/run/ccgd/ccgd.sock"],
         "timeout": 120}, "when": {"annotations": {"^io\\\\.ccgd\\\\.credentialspec$": ".+"}}, "stages": ["createRuntime", "poststop"]}
        """
    private let hookText = #"{"path":"/usr/local/libexec/ccgd/ccgd-oci-hook","args":["ccgd-oci-hook","--socket","/run/ccgd/ccgd.sock"],"timeout":120}"#

    private func hook() throws -> HookEntry { try HookEntry(hooksFile: Array(hooksFile.utf8), file: "/h.json") }

    /// The configuration as the shim rewrites it, or nil if it leaves it alone.
    private func rewritten(_ text: String) throws -> String? {
        var configuration = try ContainerConfiguration(text: Array(text.utf8), file: "/b/config.json")
        guard let request = try configuration.request() else { return nil }
        try configuration.add(try hook(), for: request)
        return String(decoding: configuration.text(endingLike: Array(text.utf8)), as: UTF8.self)
    }

    func testTheVariableAddsTheHookAtBothStagesAndTheAnnotationAndKeepsEverythingElse() throws {
        // Docker 20.10's shape: no annotations, members in Go's order, numbers as written.
        let original =
            #"{"ociVersion":"1.0.2-dev","process":{"user":{"uid":1000,"gid":1000},"args":["sh"],"env":["PATH=/bin","CCGD_CREDENTIALSPEC=WebApp01"]},"root":{"path":"/r"},"hostname":"WebApp01","linux":{"resources":{"memory":{"limit":1.5e9}}}}"#
        let expected =
            #"{"ociVersion":"1.0.2-dev","process":{"user":{"uid":1000,"gid":1000},"args":["sh"],"env":["PATH=/bin","CCGD_CREDENTIALSPEC=WebApp01"]},"root":{"path":"/r"},"hostname":"WebApp01","linux":{"resources":{"memory":{"limit":1.5e9}}},"annotations":{"io.ccgd.credentialspec":"WebApp01"},"hooks":{"createRuntime":["#
            + hookText + #"],"poststop":["# + hookText + "]}}"
        XCTAssertEqual(try rewritten(original), expected)
    }

    func testTheAnnotationAloneAsksAndExistingHooksAndAnnotationsStayInTheirPlaces() throws {
        let original =
            #"{"hooks":{"prestart":[{"path":"/p"}],"poststop":[{"path":"/other"}]},"annotations":{"a":"1","io.ccgd.credentialspec":"WebApp01","io.ccgd.mount-path":"/x"},"process":{"env":[]}}"#
        let expected =
            #"{"hooks":{"prestart":[{"path":"/p"}],"poststop":[{"path":"/other"},"# + hookText + #"],"createRuntime":["# + hookText
            + #"]},"annotations":{"a":"1","io.ccgd.credentialspec":"WebApp01","io.ccgd.mount-path":"/x"},"process":{"env":[]}}"# + "\n"
        XCTAssertEqual(try rewritten(original + "\n"), expected, "a final newline stays")
    }

    func testTheOtherVariablesBecomeTheirAnnotationsOnlyForAContainerThatAsksForACredSpec() throws {
        let asks = #"{"process":{"env":["CCGD_MOUNT_PATH=/run/id","CCGD_KRB5CONF=none","CCGD_CREDENTIALSPEC=WebApp01"]}}"#
        let annotations = try XCTUnwrap(try rewritten(asks).flatMap { try JSONValue(parsing: Data($0.utf8)).member("annotations") })
        XCTAssertEqual(annotations.compactText, #"{"io.ccgd.credentialspec":"WebApp01","io.ccgd.mount-path":"/run/id","io.ccgd.krb5conf":"none"}"#)
        XCTAssertNil(try rewritten(#"{"process":{"env":["CCGD_MOUNT_PATH=/run/id","CCGD_KRB5CONF=none"]}}"#))
        XCTAssertNil(
            try rewritten(#"{"process":{"env":["CCGD_MOUNT_PATH=/a"]},"annotations":{"io.ccgd.mount-path":"/b"}}"#),
            "no conflict to report for a container that asks for no CredSpec")
    }

    func testAContainerThatAsksForNothingIsLeftAlone() throws {
        for text in [
            #"{"process":{"env":["PATH=/bin"]}}"#, "{}", #"{"process":{"env":["CCGD_CREDENTIALSPEC="]}}"#,
            #"{"annotations":{"io.ccgd.credentialspec":""},"process":{}}"#, #"{"annotations":{"io.kubernetes.cri.container-type":"container"}}"#,
        ] {
            XCTAssertNil(try rewritten(text), text)
        }
    }

    func testTheFirstEntryOfAVariableCountsAsGetenvFindsIt() throws {
        let text = try XCTUnwrap(try rewritten(#"{"process":{"env":["CCGD_CREDENTIALSPEC=First","CCGD_CREDENTIALSPEC=Second"]}}"#))
        XCTAssertTrue(text.contains(#""annotations":{"io.ccgd.credentialspec":"First"}"#), text)
    }

    func testTheSameRequestByAnnotationAndVariableIsOneButDifferentOnesAreRefused() throws {
        let same = try XCTUnwrap(try rewritten(#"{"annotations":{"io.ccgd.credentialspec":"WebApp01"},"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]}}"#))
        XCTAssertTrue(same.contains(#""annotations":{"io.ccgd.credentialspec":"WebApp01"}"#), same)
        XCTAssertThrowsError(try rewritten(#"{"annotations":{"io.ccgd.credentialspec":"WebApp01"},"process":{"env":["CCGD_CREDENTIALSPEC=WebApp02"]}}"#)) {
            error in
            XCTAssertEqual(
                "\(error)",
                "the container asks for io.ccgd.credentialspec=WebApp01 by annotation but CCGD_CREDENTIALSPEC=WebApp02 in its environment; give one of them, or the same value in both."
            )
        }
    }

    func testARunAgainWithTheHookAlreadyThereAddsItOnce() throws {
        let once = try XCTUnwrap(try rewritten(#"{"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]}}"#))
        XCTAssertEqual(try rewritten(once), once)
    }

    /// The hook and ccgd decide for a pod's container (oci-hook-in-pods): the shim adds the hook
    /// as for any container and leaves the runtime's io.kubernetes.* annotations for it to read.
    func testAKubernetesPodsContainerThatAsksGetsTheHookWithItsPodAnnotationsKept() throws {
        let pod =
            #"{"annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-namespace":"webapp","io.kubernetes.cri.sandbox-name":"web-1"},"process":{"env":["CCGD_CREDENTIALSPEC=WebApp01"]}}"#
        let text = try XCTUnwrap(try rewritten(pod))
        let document = try JSONValue(parsing: Data(text.utf8))
        XCTAssertEqual(
            document.member("annotations")?.compactText,
            #"{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-namespace":"webapp","io.kubernetes.cri.sandbox-name":"web-1","io.ccgd.credentialspec":"WebApp01"}"#
        )
        XCTAssertEqual(document.member("hooks")?.compactText, #"{"createRuntime":["# + hookText + #"],"poststop":["# + hookText + "]}")
    }

    func testABrokenConfigurationIsNamed() {
        let cases: [(String, String)] = [
            ("{", "/b/config.json is not JSON ("),
            ("[]", "/b/config.json is not a JSON object; the caller wrote a broken bundle."),
            (#"{"annotations":[]}"#, "annotations in /b/config.json is an array, not an object; the caller wrote a broken bundle."),
            (#"{"process":{"env":"A=1"}}"#, "process.env in /b/config.json is not an array; the caller wrote a broken bundle."),
            (
                #"{"process":{"env":["CCGD_CREDENTIALSPEC=W"]},"hooks":[]}"#,
                "hooks in /b/config.json is an array, not an object; the caller wrote a broken bundle."
            ),
            (
                #"{"process":{"env":["CCGD_CREDENTIALSPEC=W"]},"hooks":{"poststop":{}}}"#,
                "hooks.poststop in /b/config.json is an object, not an array; the caller wrote a broken bundle."
            ),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try rewritten(text), text) { error in XCTAssertTrue("\(error)".hasPrefix(message), "\(error)") }
        }
    }

    func testTheHookIsTakenFromTheHooksFileWithItsPathArgumentsEnvironmentAndTimeout() throws {
        let file = #"{"version":"1.0.0","hook":{"timeout":5,"env":["A=1"],"args":["h","--log","/l"],"path":"/x/hook","extra":1},"stages":["prestart"]}"#
        let entry = try HookEntry(hooksFile: Array(file.utf8), file: "/h.json")
        XCTAssertEqual(entry.value.compactText, #"{"path":"/x/hook","args":["h","--log","/l"],"env":["A=1"],"timeout":5}"#)
    }

    func testABrokenHooksFileIsNamedWithWhatToDo() {
        let cases: [(String, String)] = [
            ("nope", "/h.json is not JSON ("),
            (
                #"{"version":"2.0.0","hook":{"path":"/x"}}"#,
                "/h.json is not a hooks.d file of version 1.0.0 with a hook object; reinstall ccgd's hooks.d file (scripts/install) or give another with --ccgd-hooks-file."
            ),
            (#"{"version":"1.0.0","hook":{"path":"x"}}"#, "the hook in /h.json has no absolute path; give hook.path as the OCI hook's absolute path."),
            (
                #"{"version":"1.0.0","hook":{"path":"/x","args":"a"}}"#,
                "hook.args in /h.json is not an array of strings; correct it as for Podman (man oci-hooks)."
            ),
            (
                #"{"version":"1.0.0","hook":{"path":"/x","timeout":0}}"#,
                "hook.timeout in /h.json is not a whole number of seconds above 0; correct it as for Podman (man oci-hooks)."
            ),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try HookEntry(hooksFile: Array(text.utf8), file: "/h.json"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }

    /// The repository's hooks.d file, as the package installs it (scripts/install rewrites the path
    /// to /usr/local/libexec/ccgd: InstallTests), is what the shim adds.
    func testTheShippedHooksFileGivesTheInstalledHook() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try Data(contentsOf: repository.appendingPathComponent("oci/ccgd-hook.json"))
        let entry = try HookEntry(hooksFile: Array(shipped), file: "oci/ccgd-hook.json")
        XCTAssertEqual(entry.value.member("path")?.text, "/usr/libexec/ccgd/ccgd-oci-hook")
        XCTAssertEqual(entry.value.member("args")?.elements?.first?.text, "ccgd-oci-hook")
    }
}

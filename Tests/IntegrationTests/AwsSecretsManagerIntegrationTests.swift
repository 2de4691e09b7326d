import Foundation
import XCTest

/// The bundled AWS Secrets Manager plug-in against moto's Secrets Manager, IAM and STS (started on
/// loopback by this class, stopped by PID), with the SDKs' credential sources: the environment, a
/// shared credentials file, and a container credentials endpoint and IMDSv2 served by small local
/// servers that answer as those documented interfaces do.
final class AwsSecretsManagerIntegrationTests: XCTestCase {
    static let host = "127.0.0.10"
    static let motoPort = 5000, containerPort = 5001, metadataPort = 5002, closedPort = 5003
    // Written once by class setUp, before any test reads them.
    nonisolated(unsafe) static var moto: Process?
    nonisolated(unsafe) static var fixture: [String: String] = [:]
    nonisolated(unsafe) static var setUpProblem: String?

    private var directory = ""
    private var servers: [Process] = []
    private var daemon: DaemonProcess?

    override class func setUp() {
        super.setUp()
        do {
            let domain = try TestDomain.require()
            guard let motoServer = Self.which("moto_server") else {
                setUpProblem = "moto_server is not on PATH; scripts/test installs it in the checkout's .venv-tests and puts that first on PATH"
                return
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: motoServer)
            process.arguments = ["-H", host, "-p", String(motoPort)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            moto = process
            // The fixture: secrets, a role with GetSecretValue, a user without it; then auth is enforced.
            let script = NSTemporaryDirectory() + "/ccgd-aws-fixture-\(UUID().uuidString.prefix(8)).py"
            try fixtureScript.write(toFile: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: script) }
            let secret = try Data(contentsOf: URL(fileURLWithPath: domain.allowedCredentialsFile))
            let outcome = try Command.run("/usr/bin/env", ["python3", script, "http://\(host):\(motoPort)"], input: secret)
            guard outcome.status == 0,
                let object = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: String]
            else {
                setUpProblem = "the moto fixture failed: \(outcome.all)"
                return
            }
            fixture = object
        } catch {
            setUpProblem = "\(error)"
        }
    }

    override class func tearDown() {
        if let moto, moto.isRunning {
            kill(moto.processIdentifier, SIGTERM)
            moto.waitUntilExit()
        }
        moto = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        _ = try TestDomain.require()
        if let problem = Self.setUpProblem { throw XCTSkip(problem) }
        directory = NSTemporaryDirectory() + "/ccgd-aws-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: directory + "/plugins", withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        // Installed as scripts/install does: [plugins] directory / aws-secrets-manager.
        try FileManager.default.copyItem(atPath: Command.binaries + "/ccgd-aws-plugin", toPath: directory + "/plugins/aws-secrets-manager")
        chmod(directory + "/plugins/aws-secrets-manager", 0o755)
        // ccgd's runtime directory (the plug-in's cache goes in it), and a shared credentials file without [default].
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try "".write(toFile: directory + "/empty-credentials", atomically: true, encoding: .utf8)
        try """
        [daemon]
        runtime-directory = \(directory)/run

        [plugins]
        directory = \(directory)/plugins
        """.write(toFile: directory + "/ccgd.conf", atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        daemon?.remove()
        for server in servers where server.isRunning {
            kill(server.processIdentifier, SIGTERM)
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var arn: String { Self.fixture["arn"]! }
    private var allowedUser: String { (try? TestDomain.require()["ALLOWED_USER"]) ?? "" }

    /// Nothing of this machine's own AWS setup: only what a test gives.
    private func environment(_ extra: [String: String]) -> [String: String] {
        var variables = [
            "AWS_ENDPOINT_URL": "http://\(Self.host):\(Self.motoPort)", "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_SHARED_CREDENTIALS_FILE": directory + "/empty-credentials", "AWS_CONFIG_FILE": directory + "/no-config",
        ]
        for name in [
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        ] {
            variables[name] = ""
        }
        return variables.merging(extra) { $1 }
    }

    private var roleKeys: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": Self.fixture["roleKeyId"]!, "AWS_SECRET_ACCESS_KEY": Self.fixture["roleSecret"]!,
            "AWS_SESSION_TOKEN": Self.fixture["roleToken"]!,
        ]
    }

    /// `ccgctl plugin test` for the AWS GUID, with ccgd's (here ccgctl's) AWS_* variables.
    private func pluginTest(_ input: String, _ extra: [String: String]) throws -> Command.Outcome {
        try Command.run(
            "ccgctl",
            [
                "plugin", "test", "--config", directory + "/ccgd.conf",
                "--guid", "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "--input", input,
            ],
            environment: environment(extra))
    }

    private func input(_ arn: String) -> String { #"{"credentialArn": "\#(arn)"}"# }

    private func assertNoSecret(_ outcome: Command.Outcome, file: StaticString = #filePath, line: UInt = #line) throws {
        let password = try TestDomain.require().credentials(TestDomain.require().allowedCredentialsFile).password
        let text = password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        XCTAssertFalse(outcome.all.contains(text), "the password must never be printed", file: file, line: line)
        XCTAssertFalse(outcome.all.contains(Self.fixture["roleSecret"]!), file: file, line: line)
        XCTAssertFalse(outcome.all.contains(Self.fixture["malformedMarker"]!), file: file, line: line)
    }

    // MARK: a lease through ccgd

    func testECSCredSpecGivesAWorkingLeaseThroughCcgd() async throws {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, pluginsConfiguration: "directory = \(directory)/plugins")
        self.daemon = daemon
        daemon.environment = environment(roleKeys)
        // The CredSpec as Amazon ECS writes it: the AWS GUID and an object with the ARN.
        var text = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var activeDirectory = try XCTUnwrap(object["ActiveDirectoryConfig"] as? [String: Any])
        activeDirectory["HostAccountConfig"] =
            [
                "PortableCcgVersion": "1", "PluginGUID": "{859E1386-BDB4-49E8-85C7-3070B13920E1}",
                "PluginInput": ["credentialArn": arn],
            ] as [String: Any]
        var spec = object
        spec["ActiveDirectoryConfig"] = activeDirectory
        text = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        try text.write(toFile: daemon.credSpecs + "/WebApp01-aws.json", atomically: true, encoding: .utf8)
        try daemon.start()

        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01-aws"}"#)
        let leaseDirectory = try XCTUnwrap(lease["directory"] as? String)
        let output = try domain.run(
            ["kinit", "-k", "-t", leaseDirectory + "/krb5.keytab", "WebApp01$@\(domain.realm)"],
            environment: ["KRB5CCNAME": "FILE:\(directory)/kinit.cc"])
        XCTAssertFalse(output.contains("kinit:"), output)
        let plugins = try await daemon.metric(#"ccgd_plugin_calls_total{plugin="AWS Secrets Manager",result="ok"}"#)
        XCTAssertEqual(plugins, 1)
    }

    // MARK: credential sources

    func testEnvironmentCredentials() throws {
        let outcome = try pluginTest(input(arn), roleKeys)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("user      \(allowedUser)"), outcome.output)
        XCTAssertTrue(outcome.output.contains("credentials from environment (AWS_ACCESS_KEY_ID)"), outcome.output)
        try assertNoSecret(outcome)
    }

    func testSharedCredentialsFileAndProfile() throws {
        let file = directory + "/credentials"
        try """
        [default]
        aws_access_key_id = AKIAWRONGPROFILE0000
        aws_secret_access_key = wrong

        [ccgd]
        aws_access_key_id = \(Self.fixture["roleKeyId"]!)
        aws_secret_access_key = \(Self.fixture["roleSecret"]!)
        aws_session_token = \(Self.fixture["roleToken"]!)
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try pluginTest(input(arn), ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "ccgd"])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("user      \(allowedUser)"), outcome.output)
        XCTAssertTrue(outcome.output.contains("shared credentials file \(file), profile ccgd"), outcome.output)
        try assertNoSecret(outcome)
    }

    func testContainerCredentialsEndpointWithAuthorizationToken() throws {
        try startServer("container", port: Self.containerPort)
        let tokenFile = directory + "/token"
        try "container-token-1\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let url = "http://\(Self.host):\(Self.containerPort)/v2/credentials/task-1"
        let outcome = try pluginTest(input(arn), ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("user      \(allowedUser)"), outcome.output)
        XCTAssertTrue(outcome.output.contains("credentials from container credentials \(url)"), outcome.output)

        // Without the token the endpoint refuses, and the error says which link failed.
        let refused = try pluginTest(input(arn), ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.all.contains("container credentials endpoint \(url) answered HTTP 401"), refused.all)
        try assertNoSecret(refused)
    }

    func testInstanceMetadataWithIMDSv2TokensAndTheCache() throws {
        try startServer("imds", port: Self.metadataPort)
        let endpoint = "http://\(Self.host):\(Self.metadataPort)"
        let cache = directory + "/run/aws-secrets-manager"
        let variables = ["AWS_EC2_METADATA_DISABLED": "", "AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint]
        let first = try pluginTest(input(arn), variables)
        XCTAssertEqual(first.status, 0, first.all)
        XCTAssertTrue(first.output.contains("user      \(allowedUser)"), first.output)
        XCTAssertTrue(first.output.contains("credentials from instance metadata \(endpoint), role ccgd-node-role"), first.output)
        XCTAssertFalse(first.output.contains("cached"), first.output)
        // ccgd's default registration keeps temporary credentials in <runtime-directory>/aws-secrets-manager, 0700.
        let attributes = try FileManager.default.attributesOfItem(atPath: cache)
        XCTAssertEqual(attributes[.posixPermissions] as? Int, 0o700)
        let second = try pluginTest(input(arn), variables)
        XCTAssertEqual(second.status, 0, second.all)
        XCTAssertTrue(second.output.contains("role ccgd-node-role (cached until"), second.output)
        try assertNoSecret(second)
    }

    // MARK: failures, each with its own message and never the secret

    func testWrongARNIsNotFound() throws {
        let outcome = try pluginTest(input(arn + "-gone"), roleKeys)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.all.contains("Secrets Manager has no secret \(arn)-gone"), outcome.all)
        try assertNoSecret(outcome)
    }

    func testAccessDeniedByPolicy() throws {
        let outcome = try pluginTest(
            input(arn),
            [
                "AWS_ACCESS_KEY_ID": Self.fixture["deniedKeyId"]!,
                "AWS_SECRET_ACCESS_KEY": Self.fixture["deniedSecret"]!,
            ])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.all.contains("access denied to secret \(arn) for the credentials from environment"), outcome.all)
        XCTAssertTrue(outcome.all.contains("secretsmanager:GetSecretValue"), outcome.all)
        try assertNoSecret(outcome)
    }

    func testUnknownAccessKeyIsRejected() throws {
        let outcome = try pluginTest(input(arn), ["AWS_ACCESS_KEY_ID": "AKIAUNKNOWNKEY000000", "AWS_SECRET_ACCESS_KEY": "unknown"])
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.all.contains("Secrets Manager rejected the credentials from environment"), outcome.all)
    }

    func testMalformedSecretJSON() throws {
        let notJSON = try pluginTest(input(Self.fixture["notJSONArn"]!), roleKeys)
        XCTAssertNotEqual(notJSON.status, 0)
        XCTAssertTrue(notJSON.all.contains("the value of secret \(Self.fixture["notJSONArn"]!) is not a JSON object"), notJSON.all)
        try assertNoSecret(notJSON)

        let lacking = try pluginTest(input(Self.fixture["noPasswordArn"]!), roleKeys)
        XCTAssertNotEqual(lacking.status, 0)
        XCTAssertTrue(lacking.all.contains("has no non-empty string \"password\""), lacking.all)
        try assertNoSecret(lacking)
    }

    func testUnreachableEndpoint() throws {
        let endpoint = "http://\(Self.host):\(Self.closedPort)"
        let outcome = try pluginTest(input(arn), roleKeys.merging(["AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint]) { $1 })
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.all.contains("cannot reach Secrets Manager at \(endpoint)"), outcome.all)
    }

    func testPluginInputAsAJSONStringHoldingTheObject() throws {
        let quoted = String(decoding: try JSONSerialization.data(withJSONObject: [input(arn)]), as: UTF8.self).dropFirst().dropLast()
        let outcome = try pluginTest(String(quoted), roleKeys)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.output.contains("user      \(allowedUser)"), outcome.output)
    }

    func testAWSGUIDWithoutThePluginInstalledSaysHowToInstallIt() throws {
        try FileManager.default.removeItem(atPath: directory + "/plugins/aws-secrets-manager")
        let outcome = try pluginTest(input(arn), roleKeys)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.errors.contains("the bundled AWS Secrets Manager plug-in cannot be used"), outcome.errors)
        XCTAssertTrue(outcome.errors.contains("\(directory)/plugins/aws-secrets-manager"), outcome.errors)
    }

    // MARK: helpers

    /// Starts the credentials server (`container` or `imds`) and waits for its "ready" line.
    private func startServer(_ kind: String, port: Int) throws {
        let script = directory + "/server.py"
        try Self.serverScript.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, kind, Self.host, String(port)]
        var variables = ProcessInfo.processInfo.environment
        variables["ROLE_KEY_ID"] = Self.fixture["roleKeyId"]
        variables["ROLE_SECRET"] = Self.fixture["roleSecret"]
        variables["ROLE_TOKEN"] = Self.fixture["roleToken"]
        variables["ROLE_EXPIRATION"] = Self.fixture["roleExpiration"]
        process.environment = variables
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        servers.append(process)
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else { throw XCTSkip("the \(kind) server did not start") }
    }

    private static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Python with boto3 (installed with moto): the secrets, the role, the denied user, then auth on.
    private static let fixtureScript = #"""
        import json, sys, time, urllib.request
        import boto3
        endpoint = sys.argv[1]
        keys = dict(endpoint_url=endpoint, region_name="eu-west-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        for _ in range(200):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/data.json", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        secrets = boto3.client("secretsmanager", **keys)
        iam = boto3.client("iam", **keys)
        out = {}
        out["arn"] = secrets.create_secret(Name="gmsa-portable-user", SecretString=sys.stdin.read())["ARN"]
        out["malformedMarker"] = "Malformed-Secret-Text-7f3a"
        out["notJSONArn"] = secrets.create_secret(Name="gmsa-not-json", SecretString="username=x password=" + out["malformedMarker"])["ARN"]
        out["noPasswordArn"] = secrets.create_secret(Name="gmsa-no-password", SecretString=json.dumps({"username": "x", "domainName": "contoso.test"}))["ARN"]
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
        iam.create_role(RoleName="ccgd-node-role", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(RoleName="ccgd-node-role", PolicyName="read-gmsa-secret", PolicyDocument=json.dumps(read))
        role = boto3.client("sts", **keys).assume_role(RoleArn="arn:aws:iam::123456789012:role/ccgd-node-role",
                                                       RoleSessionName="ccgd-node", DurationSeconds=3600)["Credentials"]
        out.update(roleKeyId=role["AccessKeyId"], roleSecret=role["SecretAccessKey"], roleToken=role["SessionToken"],
                   roleExpiration=role["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"))
        list_only = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:ListSecrets", "Resource": "*"}]}
        iam.create_user(UserName="no-rights")
        iam.put_user_policy(UserName="no-rights", PolicyName="list-only", PolicyDocument=json.dumps(list_only))
        denied = iam.create_access_key(UserName="no-rights")["AccessKey"]
        out.update(deniedKeyId=denied["AccessKeyId"], deniedSecret=denied["SecretAccessKey"])
        # From now on every request must be signed with known keys and allowed by IAM policies.
        urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                                      headers={"Content-Type": "text/plain"}))
        print(json.dumps(out))
        """#

    /// The two documented credentials interfaces, answering exactly their requests:
    /// container: GET the URI with `Authorization: <token>` → the credentials JSON (401 otherwise);
    /// imds: PUT /latest/api/token with a TTL header → a token; GETs need it (401 otherwise).
    private static let serverScript = #"""
        import json, os, sys
        from http.server import BaseHTTPRequestHandler, HTTPServer
        kind, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
        role = "ccgd-node-role"
        token = "imds-token-AQAEAEXAMPLE"
        def credentials(extra):
            body = {"AccessKeyId": os.environ["ROLE_KEY_ID"], "SecretAccessKey": os.environ["ROLE_SECRET"],
                    "Token": os.environ["ROLE_TOKEN"], "Expiration": os.environ["ROLE_EXPIRATION"]}
            body.update(extra)
            return json.dumps(body).encode()
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def answer(self, status, body=b"", kind="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_PUT(self):
                if kind == "imds" and self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.answer(200, token.encode(), "text/plain")
                self.answer(400)
            def do_GET(self):
                if kind == "container":
                    if self.path != "/v2/credentials/task-1": return self.answer(404)
                    if self.headers.get("Authorization") != "container-token-1": return self.answer(401, b'{"message": "unauthorized"}')
                    return self.answer(200, credentials({"RoleArn": "arn:aws:iam::123456789012:role/" + role}))
                if self.headers.get("X-aws-ec2-metadata-token") != token: return self.answer(401, b"", "text/plain")
                if self.path == "/latest/meta-data/iam/security-credentials/": return self.answer(200, role.encode(), "text/plain")
                if self.path == "/latest/meta-data/iam/security-credentials/" + role:
                    return self.answer(200, credentials({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": "2025-01-01T00:00:00Z"}), "text/plain")
                self.answer(404, b"", "text/plain")
        server = HTTPServer((host, port), Handler)
        print("ready", flush=True)
        server.serve_forever()
        """#
}

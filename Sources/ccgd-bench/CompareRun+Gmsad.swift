import DaemonHarness
import Foundation

/// gmsad 0.2.1 (PyPI), a Python daemon that keeps a gMSA's keytab: installed into a throwaway
/// virtual environment, its reader authenticated by a keytab made with MIT ktutil, run against
/// the same DC for the same gMSA. Timed from its start to its log line saying the keytab was
/// written; each keytab is then checked with `kinit -k` (untimed), as it may be wrong and still
/// reported as a success.
extension CompareRun {
    static let gmsadVersion = "0.2.1"

    func gmsad(controllerResolves: Bool) async throws {
        let label = "gmsad \(Self.gmsadVersion): start → keytab written (its log line); Python, ldap3 over StartTLS, salt from the KDC's PREAUTH_REQUIRED"
        if options.skipGmsad {
            table.add("peers and leases", label, .skipped, note: "--skip-gmsad", ratio: true)
            return
        }
        let venv: String
        var throwaway: String?
        do {
            if let given = options.gmsadVenv {
                venv = given
            } else {
                venv = try installGmsad()
                throwaway = venv
            }
        } catch {
            table.add("peers and leases", label, .skipped, note: "could not install gmsad: \(error)", ratio: true)
            return
        }
        defer { if let throwaway { try? FileManager.default.removeItem(atPath: throwaway) } }

        let readerKeytab = work + "/gmsad-reader.keytab"
        try makeReaderKeytab(readerKeytab)
        let keytab = work + "/gmsad.keytab", cache = work + "/gmsad.ccache", log = work + "/gmsad.log"
        let configuration = work + "/gmsad.conf"
        // host: the DC (else a DNS SRV lookup), by name: ldap3 asks for ldap/<host>, and there is
        // no ldap/<address> SPN; the same host gets its salt AS-REQ. TLS: Samba's certificate names
        // the DC's FQDN. TLS_BEFORE_BIND: the default binds without a security layer, which Samba refuses.
        try """
        [gmsad]
        loglevel = INFO
        check_interval = 3600

        [\(account)]
        gMSA_sAMAccountName = \(account)$
        gMSA_domain = \(domain.realm)
        gMSA_keytab = \(keytab)
        principal = \(readerPrincipal)
        keytab = \(readerKeytab)
        host = \(controllerResolves ? domain.controller : domain.controllerAddress)
        tls_ca_certs_file = \(domain.caFile)
        tls_valid_names = \(domain.controller)
        ldap_auto_bind = TLS_BEFORE_BIND

        """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let environment = toolEnvironment.merging(["KRB5CCNAME": "FILE:" + cache]) { $1 }
        var rejected = 0
        let value = try await measure { _ in
            for path in [keytab, cache, log] { try? FileManager.default.removeItem(atPath: path) }
            var child: ChildProcess?
            defer { child?.stop() }
            let elapsed = try await self.timed {
                let started = ContinuousClock.now
                child = try ChildProcess([venv + "/bin/gmsad", "-c", configuration], environment: environment, stdout: log, stderr: log)
                while true {
                    let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    if text.contains("have been updated successfully") { break }
                    if child?.hasExited == true {
                        child = nil
                        throw BenchError("gmsad exited before writing the keytab: \(text.suffix(400))")
                    }
                    guard ContinuousClock.now - started < .seconds(30) else { throw BenchError("gmsad wrote no keytab in 30 s: \(text.suffix(400))") }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            let check = try ChildProcess.run(
                ["kinit", "-k", "-t", keytab, self.principal],
                environment: self.toolEnvironment.merging(["KRB5CCNAME": "FILE:\(self.work)/gmsad-check.ccache"]) { $1 })
            if !check.succeeded { rejected += 1 }
            return elapsed
        }
        var note =
            rejected == 0
            ? "every keytab accepted by the KDC (`kinit -k`, untimed); no gMSA TGT in the time"
            : "\(rejected) of \(options.samples) keytabs REJECTED by the KDC (`kinit -k`)"
        if let mode = (try? FileManager.default.attributesOfItem(atPath: keytab))?[.posixPermissions] as? Int {
            note += String(format: "; its keytab's mode: %04o", mode)
        }
        table.add("peers and leases", label, value, note: note, ratio: true)
    }

    /// A virtual environment under /var/tmp with gmsad from PyPI (pip builds its gssapi with gcc),
    /// made by Debian's own Python (package python3-venv): the `python3` on PATH may be another,
    /// and pip never installs into a system Python.
    func installGmsad() throws -> String {
        var template = Array("/var/tmp/ccgd-bench-gmsad.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("cannot make a directory under /var/tmp: errno \(errno)") }
        let venv = String(cString: made)
        FileHandle.standardError.write(
            Data("ccgd-bench: installing gmsad \(Self.gmsadVersion) from PyPI into \(venv) (builds gssapi; a few minutes the first time)\n".utf8))
        try tool(["/usr/bin/python3", "-m", "venv", venv], environment: Compare.cleanEnvironment)
        do {
            try tool(
                [venv + "/bin/pip", "install", "--quiet", "--disable-pip-version-check", "gmsad==\(Self.gmsadVersion)"],
                environment: Compare.cleanEnvironment)
        } catch {
            try? FileManager.default.removeItem(atPath: venv)
            throw error
        }
        return venv
    }

    /// The portable user's keytab, as a gmsad admin would make it: MIT ktutil, the password typed
    /// at its prompt (it reads it from a terminal only), the salt asked of the KDC (-f).
    func makeReaderKeytab(_ path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let session = try TerminalSession(["ktutil"], environment: toolEnvironment)
        for enctype in ["aes256-cts-hmac-sha1-96", "aes128-cts-hmac-sha1-96"] {
            try session.expect("ktutil:")
            // kvno 1: a keytab AS exchange takes the key of any kvno (MIT asks for kvno 0).
            session.type("addent -password -p \(readerPrincipal) -k 1 -e \(enctype) -f")
            try session.expect("Password for")
            session.type(domain.readerPassword)
        }
        try session.expect("ktutil:")
        session.type("wkt \(path)")
        try session.expect("ktutil:")
        session.type("quit")
        _ = session.finish()
        try tool(["kinit", "-k", "-t", path, readerPrincipal], environment: toolEnvironment.merging(["KRB5CCNAME": "FILE:\(work)/reader-check.ccache"]) { $1 })
    }
}

import DaemonHarness
import Foundation

/// The test domain as scripts/testdomain describes it in testdomain.env, with the portable user's
/// credentials (from the file plug-in's JSON file; the password stays in memory only).
struct TestDomain {
    let directory: String
    let realm: String
    let dnsDomain: String
    let domainDN: String
    let controller: String
    let controllerAddress: String
    let gmsas: [String]
    let caFile: String
    let credSpecDirectory: String
    let configurationFile: String
    let reader: String
    let readerPassword: String
    let readerCredentials: String

    init(directory: String) throws {
        guard let file = TestDomainFile(directory: directory) else {
            throw BenchError("cannot read \(directory)/testdomain.env; start the test domain with scripts/testdomain up (or set CCGD_TESTDOMAIN_DIR).")
        }
        self.directory = directory
        realm = try file.required("REALM")
        dnsDomain = try file.required("DNSDOMAIN")
        domainDN = try file.required("DOMAIN_DN")
        controller = try file.required("DC")
        controllerAddress = try file.required("DC_ADDRESS")
        gmsas = try file.required("GMSAS").split(separator: ",").map(String.init)
        caFile = try file.required("CA")
        credSpecDirectory = try file.required("CREDSPECS")
        configurationFile = try file.required("CCGD_CONF")
        readerCredentials = try file.required("ALLOWED_CREDENTIALS")
        guard let data = FileManager.default.contents(atPath: readerCredentials),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let username = json["username"] as? String, let password = json["password"] as? String
        else {
            throw BenchError("\(readerCredentials) is not the file plug-in's JSON {\"username\", \"password\"}; recreate the test domain.")
        }
        reader = username
        readerPassword = password
    }

    /// The pid of the DC's main process (scripts/testdomain keeps it in samba.pid).
    var dcPID: pid_t? {
        (try? String(contentsOfFile: directory + "/samba.pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

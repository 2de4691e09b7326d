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
        let file = directory + "/testdomain.env"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw BenchError("cannot read \(file); start the test domain with scripts/testdomain up (or set CCGD_TESTDOMAIN_DIR).")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        func value(_ key: String) throws -> String {
            guard let value = values[key], !value.isEmpty else { throw BenchError("\(file) has no \(key); run scripts/testdomain up again.") }
            return value
        }
        self.directory = directory
        realm = try value("CCGD_TD_REALM")
        dnsDomain = try value("CCGD_TD_DNSDOMAIN")
        domainDN = try value("CCGD_TD_DOMAIN_DN")
        controller = try value("CCGD_TD_DC")
        controllerAddress = try value("CCGD_TD_DC_ADDRESS")
        gmsas = try value("CCGD_TD_GMSAS").split(separator: ",").map(String.init)
        caFile = try value("CCGD_TD_CA")
        credSpecDirectory = try value("CCGD_TD_CREDSPECS")
        configurationFile = try value("CCGD_TD_CCGD_CONF")
        readerCredentials = try value("CCGD_TD_ALLOWED_CREDENTIALS")
        guard let data = FileManager.default.contents(atPath: readerCredentials),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let username = json["username"] as? String, let password = json["password"] as? String else {
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

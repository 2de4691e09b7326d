internal import CResolv
import Glibc

/// Finds a domain's controllers the way Windows does: the DNS SRV records
/// `_ldap._tcp.dc._msdcs.<domain>`, ordered by priority and, within one priority, by weight.
package struct DomainControllerLocator: Sendable {
    /// DNS servers to ask (`address` or `address:port`); empty means the system's resolv.conf.
    package let nameservers: [String]
    /// `[daemon] site`: this host's AD site, over what an LDAP ping says (nil: ping).
    package let site: String?
    /// How long the LDAP ping waits for the first DC's answer.
    package let pingTimeoutMilliseconds: Int32

    package init(nameservers: [String] = [], site: String? = nil, pingTimeoutMilliseconds: Int32 = 1000) {
        self.nameservers = nameservers
        self.site = site
        self.pingTimeoutMilliseconds = pingTimeoutMilliseconds
    }

    /// The domain's DCs, those of this host's site first (`_ldap._tcp.<site>._sites.dc._msdcs`),
    /// the site from `site` or else from an LDAP ping of the domain's DCs (all at once, the first
    /// answer wins). Without a site, or when it has no records, the domain-wide order. Blocking.
    package func locate(domain: String) throws(DirectoryError) -> DomainControllerLocation {
        let all = try controllers(forDomain: domain)
        let site: ClientSite
        if let configured = self.site {
            site = ClientSite(name: configured, origin: .configured)
        } else {
            let answer: LDAPPing.Answer
            do { answer = try LDAPPing.first(of: all, dnsDomain: domain, timeoutMilliseconds: pingTimeoutMilliseconds) } catch {
                let reason: String
                if case let .unreachable(_, text) = error { reason = text } else { reason = "\(error)" }
                return DomainControllerLocation(controllers: all, site: nil, siteProblem: "no DC answered the LDAP ping (\(reason))")
            }
            guard !answer.response.clientSiteName.isEmpty else {
                return DomainControllerLocation(
                    controllers: all, site: nil,
                    siteProblem:
                        "\(answer.controller.hostName) answered the LDAP ping, but no subnet of the forest holds this host's address (map one to a site, or set [daemon] site)"
                )
            }
            site = ClientSite(name: answer.response.clientSiteName, origin: .ldapPing(answeredBy: answer.controller.hostName))
        }
        let inSite: [DomainController]
        do { inSite = try controllers(forDomain: domain, site: site.name) } catch {
            let reason: String
            if case let .discoveryFailed(_, record, _, text) = error { reason = "\(record): \(text)" } else { reason = "\(error)" }
            return DomainControllerLocation(controllers: all, site: site, siteProblem: "DNS names no DC of site \(site.name) (\(reason))")
        }
        return DomainControllerLocation(
            controllers: DomainControllerLocation.siteFirst(site: inSite, domain: all), site: site,
            siteControllers: inSite.map(\.hostName))
    }

    /// The domain's DCs in the order to try them. Blocking: DNS waits on the network.
    package func controllers(forDomain domain: String) throws(DirectoryError) -> [DomainController] {
        try controllers(named: Self.serviceRecord(of: domain), domain: domain)
    }

    /// The DCs of `domain` in `site` (its `_sites` SRV records), in the order to try them.
    package func controllers(forDomain domain: String, site: String) throws(DirectoryError) -> [DomainController] {
        try controllers(named: Self.serviceRecord(of: domain, site: site), domain: domain)
    }

    private func controllers(named name: String, domain: String) throws(DirectoryError) -> [DomainController] {
        let failure = { (reason: String) in DirectoryError.discoveryFailed(domain: domain, record: name, nameservers: nameservers, reason: reason) }
        var state = ccgd_resolver_state()
        guard ccgd_res_ninit(&state) == 0 else { throw failure("cannot initialise the resolver (check /etc/resolv.conf)") }
        defer { ccgd_res_nclose(&state) }
        if !nameservers.isEmpty {
            do { try use(nameservers, in: &state) } catch {
                guard case let .unreachable(_, reason) = error else { throw error }
                throw failure(reason)
            }
        }
        let records: [ServiceRecord]
        do { records = try query(name, type: Int32(ns_t_srv.rawValue), state: &state).compactMap(ServiceRecord.init) } catch {
            guard case let .unreachable(_, reason) = error else { throw error }
            throw failure(reason)
        }
        guard !records.isEmpty else { throw failure("the answer holds no SRV record") }
        return ServiceRecord.ordered(records).map { record in
            // With our own DNS servers, the host's resolver may not know the DC: ask the same servers.
            let address =
                nameservers.isEmpty
                ? nil
                : (try? query(record.target, type: Int32(ns_t_a.rawValue), state: &state))?
                    .compactMap(\.ipv4Address).first
            return DomainController(hostName: record.target, address: address, ldapPort: record.port)
        }
    }

    /// The SRV record naming the DCs of `domain`.
    package static func serviceRecord(of domain: String) -> String {
        "_ldap._tcp.dc._msdcs.\(domain)"
    }

    /// The SRV record naming the DCs of `domain` in `site`.
    package static func serviceRecord(of domain: String, site: String) -> String {
        "_ldap._tcp.\(site)._sites.dc._msdcs.\(domain)"
    }

    private func use(_ servers: [String], in state: inout ccgd_resolver_state) throws(DirectoryError) {
        var addresses: [sockaddr_in] = []
        for server in servers.prefix(Int(MAXNS)) {
            let parts = server.split(separator: ":", maxSplits: 1)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(parts.count == 2 ? UInt16(parts[1]) ?? 53 : 53).bigEndian
            guard inet_pton(AF_INET, String(parts[0]), &address.sin_addr) == 1 else {
                throw .unreachable(controller: "DNS", reason: "\(server) is not an IPv4 address[:port]")
            }
            addresses.append(address)
        }
        withUnsafeMutableBytes(of: &state.nsaddr_list) { buffer in
            for (index, address) in addresses.enumerated() {
                buffer.storeBytes(of: address, toByteOffset: index * MemoryLayout<sockaddr_in>.stride, as: sockaddr_in.self)
            }
        }
        state.nscount = Int32(addresses.count)
    }

    /// The answer records of one query.
    private func query(_ name: String, type: Int32, state: inout ccgd_resolver_state) throws(DirectoryError) -> [AnswerRecord] {
        var answer = [UInt8](repeating: 0, count: 8192)
        let length = res_nquery(&state, name, Int32(ns_c_in.rawValue), type, &answer, Int32(answer.count))
        guard length > 0 else {
            throw .unreachable(controller: name, reason: "the DNS lookup failed (\(String(cString: hstrerror(ccgd_h_errno()))))")
        }
        return answer.withUnsafeBufferPointer { buffer -> [AnswerRecord] in
            var message = ns_msg()
            guard ns_initparse(buffer.baseAddress, length, &message) == 0 else { return [] }
            var records: [AnswerRecord] = []
            for index in 0..<ccgd_ns_msg_count(message, ns_s_an) {
                var record = ns_rr()
                guard ns_parserr(&message, ns_s_an, index, &record) == 0, let data = record.rdata else { continue }
                let rdata = Array(UnsafeBufferPointer(start: data, count: Int(record.rdlength)))
                var target: String?
                if Int32(record.type) == Int32(ns_t_srv.rawValue), rdata.count > 6 {
                    var expanded = [CChar](repeating: 0, count: Int(NS_MAXDNAME))
                    if dn_expand(buffer.baseAddress, buffer.baseAddress! + Int(length), data + 6, &expanded, Int32(expanded.count)) > 0 {
                        target = expanded.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                    }
                }
                records.append(AnswerRecord(type: Int32(record.type), data: rdata, target: target))
            }
            return records
        }
    }
}

/// One answer record, as much as ccgd needs of it.
struct AnswerRecord {
    let type: Int32
    let data: [UInt8]
    /// An SRV record's target, expanded.
    let target: String?

    var ipv4Address: String? {
        guard type == Int32(ns_t_a.rawValue), data.count == 4 else { return nil }
        return data.map(String.init).joined(separator: ".")
    }
}

/// An SRV record (RFC 2782).
struct ServiceRecord: Equatable {
    let priority: UInt16
    let weight: UInt16
    let port: UInt16
    let target: String

    init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }

    init?(_ record: AnswerRecord) {
        guard record.type == Int32(ns_t_srv.rawValue), record.data.count > 6, let target = record.target, target != "." else { return nil }
        let field = { (at: Int) in UInt16(record.data[at]) << 8 | UInt16(record.data[at + 1]) }
        self.init(priority: field(0), weight: field(2), port: field(4), target: target)
    }

    /// Lowest priority first; within a priority, a weighted random order so that clients
    /// spread over the DCs as the domain's administrators asked.
    static func ordered<G: RandomNumberGenerator>(_ records: [ServiceRecord], using generator: inout G) -> [ServiceRecord] {
        var result: [ServiceRecord] = []
        for priority in Set(records.map(\.priority)).sorted() {
            var group = records.filter { $0.priority == priority }
            while !group.isEmpty {
                let total = group.reduce(0) { $0 + Int($1.weight) }
                var pick = total > 0 ? Int.random(in: 0..<total, using: &generator) : 0
                var index = 0
                if total > 0 {
                    while pick >= Int(group[index].weight) { pick -= Int(group[index].weight); index += 1 }
                }
                result.append(group.remove(at: index))
            }
        }
        return result
    }

    static func ordered(_ records: [ServiceRecord]) -> [ServiceRecord] {
        var generator = SystemRandomNumberGenerator()
        return ordered(records, using: &generator)
    }
}

internal import CLDAP
import DomainModel
import Glibc

/// The LDAP ping (MS-ADTS 6.3.3) as Windows' DC locator and SSSD send it: a search of the root
/// DSE for its Netlogon attribute over UDP (CLDAP), which an AD DC answers with, among others,
/// the site of the address the ping came from. Debian's libldap has no `cldap://`, so the
/// datagram is ours and liblber encodes and decodes it.
package enum LDAPPing {
    /// NETLOGON_NT_VERSION_5 | 5EX | WITH_CLOSEST_SITE: the NETLOGON_SAM_LOGON_RESPONSE_EX
    /// structure, with the next closest site (no socket address: ccgd knows where it sent).
    package static let version: UInt32 = 0x16

    /// The first DC that answered, and its answer.
    package struct Answer: Sendable, Equatable {
        package let controller: DomainController
        package let response: NetlogonResponse
    }

    /// Pings every DC of `controllers` at once (UDP, each on its LDAP port) and returns the first
    /// valid answer within `timeoutMilliseconds`. Throws `.unreachable` saying what each DC did
    /// when none answered. Blocking: waits on the network.
    package static func first(
        of controllers: [DomainController], dnsDomain: String, timeoutMilliseconds: Int32
    ) throws(DirectoryError) -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(controller: "LDAP ping", reason: "cannot open a UDP socket (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var failures: [String: String] = [:]
        var sent: [Int32: (controller: DomainController, address: sockaddr_in)] = [:]
        for (index, controller) in controllers.enumerated() {
            let messageID = Int32(index + 1)
            guard var address = ipv4Address(of: controller) else {
                failures[controller.hostName] = "cannot resolve \(controller.hostName) to an IPv4 address"
                continue
            }
            let request = Self.request(messageID: messageID, dnsDomain: dnsDomain)
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, request, request.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard result == request.count else {
                failures[controller.hostName] = "cannot send the ping (\(String(cString: strerror(errno))))"
                continue
            }
            sent[messageID] = (controller, address)
        }
        let deadline = Self.now() + Int64(timeoutMilliseconds)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !sent.isEmpty {
            let remaining = deadline - Self.now()
            guard remaining > 0 else { break }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(remaining))
            if ready < 0, errno == EINTR { continue }
            guard ready > 0 else { break }
            var from = sockaddr_in()
            var fromLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = withUnsafeMutablePointer(to: &from) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &fromLength) }
            }
            guard count > 0 else { continue }
            let datagram = Array(buffer[0..<count])
            let answer: (messageID: Int32, netlogon: [UInt8]?)
            do { answer = try Self.netlogonValue(of: datagram) } catch { continue }
            // Only the DC a message id was sent to may answer it.
            guard let target = sent[answer.messageID], target.address.sin_addr.s_addr == from.sin_addr.s_addr else { continue }
            sent[answer.messageID] = nil
            guard let netlogon = answer.netlogon else {
                failures[target.controller.hostName] = "answered without a Netlogon value (is \(dnsDomain) its domain?)"
                continue
            }
            do {
                return Answer(controller: target.controller, response: try NetlogonResponse(decoding: netlogon, version: version))
            } catch {
                failures[target.controller.hostName] = "\(error)"
            }
        }
        for (_, target) in sent { failures[target.controller.hostName] = "no answer within \(timeoutMilliseconds) ms" }
        let reasons = controllers.compactMap { controller in failures[controller.hostName].map { "\(controller.hostName): \($0)" } }
        throw .unreachable(controller: "LDAP ping", reason: reasons.isEmpty ? "no DC to ping" : reasons.joined(separator: "; "))
    }

    /// The searchRequest datagram (BER) for `dnsDomain`.
    package static func request(messageID: Int32, dnsDomain: String) -> [UInt8] {
        guard let ber = ber_alloc_t(LBER_USE_DER) else { return [] }
        defer { ber_free(ber, 1) }
        let versionBytes = (0..<4).map { CChar(bitPattern: UInt8(truncatingIfNeeded: version >> ($0 * 8))) }
        let encoded = versionBytes.withUnsafeBufferPointer { bytes in
            ccgd_ber_netlogon_request(ber, messageID, dnsDomain, bytes.baseAddress, ber_len_t(bytes.count))
        }
        var flat: UnsafeMutablePointer<berval>?
        guard encoded >= 0, ber_flatten(ber, &flat) == 0, let flat else { return [] }
        defer { ber_bvfree(flat) }
        return Array(UnsafeRawBufferPointer(start: flat.pointee.bv_val, count: Int(flat.pointee.bv_len)))
    }

    /// The message id of an answer and, for a searchResEntry whose first attribute is Netlogon,
    /// its value (nil for a searchResDone: the DC found nothing to say for that domain).
    package static func netlogonValue(of datagram: [UInt8]) throws(DirectoryError) -> (messageID: Int32, netlogon: [UInt8]?) {
        let malformed = DirectoryError.unreachable(controller: "LDAP ping", reason: "the answer is no LDAP message")
        // liblber asserts on an empty buffer rather than failing.
        guard !datagram.isEmpty else { throw malformed }
        let parsed = datagram.withUnsafeBytes { raw -> (Int32, [UInt8]?)? in
            var input = berval(bv_len: ber_len_t(raw.count), bv_val: UnsafeMutablePointer(mutating: raw.baseAddress?.assumingMemoryBound(to: CChar.self)))
            guard let ber = ber_init(&input) else { return nil }
            defer { ber_free(ber, 1) }
            var messageID: ber_int_t = 0
            var operation: ber_tag_t = 0
            var attribute: UnsafeMutablePointer<CChar>?
            var value: UnsafeMutablePointer<berval>?
            guard ccgd_ber_netlogon_answer(ber, &messageID, &operation, &attribute, &value) == 0 else { return nil }
            defer {
                if let attribute { ber_memfree(attribute) }
                if let value { ber_bvfree(value) }
            }
            guard operation == searchResultEntry, let attribute, String(cString: attribute).lowercased() == "netlogon", let value else {
                return (messageID, nil)
            }
            return (messageID, Array(UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))))
        }
        guard let parsed else { throw malformed }
        return parsed
    }

    /// [APPLICATION 4], constructed (LDAP_RES_SEARCH_ENTRY, a cast macro Swift does not import).
    private static let searchResultEntry: ber_tag_t = 0x64

    private static func ipv4Address(of controller: DomainController) -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(controller.ldapPort).bigEndian
        if let literal = controller.address, inet_pton(AF_INET, literal, &address.sin_addr) == 1 { return address }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(controller.address ?? controller.hostName, nil, &hints, &list) == 0, let list else { return nil }
        defer { freeaddrinfo(list) }
        guard let found = list.pointee.ai_addr else { return nil }
        address.sin_addr = found.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
        return address
    }

    private static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// A DC's answer to an LDAP ping: the NETLOGON_SAM_LOGON_RESPONSE_EX structure (MS-ADTS
/// 6.3.1.9) that the Netlogon attribute of its root DSE holds. What ccgd reads of it is the
/// client's site (`clientSiteName`): the DC works it out from the address the ping came from and
/// the forest's subnet objects, as it does for Windows and SSSD.
package struct NetlogonResponse: Sendable, Equatable {
    /// LOGON_SAM_LOGON_RESPONSE_EX, LOGON_SAM_PAUSE_RESPONSE_EX, LOGON_SAM_USER_UNKNOWN_EX (6.3.1.3).
    package static let opcodes: Set<UInt16> = [23, 24, 25]
    /// NETLOGON_NT_VERSION_5EX_WITH_IP (6.3.1.1): the answer carries the DC's socket address.
    package static let versionWithAddress: UInt32 = 0x8
    /// NETLOGON_NT_VERSION_WITH_CLOSEST_SITE: the answer carries NextClosestSiteName.
    package static let versionWithClosestSite: UInt32 = 0x10
    /// DS_CLOSEST_FLAG (6.3.1.2): the DC is in the site closest to the client.
    package static let closestFlag: UInt32 = 0x80

    package let opcode: UInt16
    /// The DS_*_FLAG bits.
    package let flags: UInt32
    package let dnsForestName: String
    package let dnsDomainName: String
    package let dnsHostName: String
    package let netbiosDomainName: String
    package let netbiosComputerName: String
    package let userName: String
    /// The site the answering DC is in.
    package let dcSiteName: String
    /// The client's site; empty when no subnet of the forest holds the client's address.
    package let clientSiteName: String
    /// Present when the ping asked for the closest site (empty when none is known).
    package let nextClosestSiteName: String?

    package init(
        opcode: UInt16 = 23, flags: UInt32 = 0, dnsForestName: String, dnsDomainName: String, dnsHostName: String,
        netbiosDomainName: String = "", netbiosComputerName: String = "", userName: String = "",
        dcSiteName: String, clientSiteName: String, nextClosestSiteName: String? = nil
    ) {
        self.opcode = opcode
        self.flags = flags
        self.dnsForestName = dnsForestName
        self.dnsDomainName = dnsDomainName
        self.dnsHostName = dnsHostName
        self.netbiosDomainName = netbiosDomainName
        self.netbiosComputerName = netbiosComputerName
        self.userName = userName
        self.dcSiteName = dcSiteName
        self.clientSiteName = clientSiteName
        self.nextClosestSiteName = nextClosestSiteName
    }

    /// Whether the DC says it is in the client's own site.
    package var isInClientSite: Bool { flags & Self.closestFlag != 0 }

    /// Reads the structure from the Netlogon attribute's value, as answered to a ping that asked
    /// for `version` (which decides the optional fields after ClientSiteName).
    package init(decoding bytes: [UInt8], version: UInt32) throws(NetlogonResponseError) {
        var reader = NetlogonReader(bytes: bytes)
        let opcode = try reader.uint16()
        guard Self.opcodes.contains(opcode) else { throw .unexpectedOpcode(opcode) }
        _ = try reader.uint16() // Sbz
        let flags = try reader.uint32()
        try reader.skip(16) // DomainGuid
        let forest = try reader.name(field: "DnsForestName")
        let domain = try reader.name(field: "DnsDomainName")
        let host = try reader.name(field: "DnsHostName")
        let netbiosDomain = try reader.name(field: "NetbiosDomainName")
        let netbiosComputer = try reader.name(field: "NetbiosComputerName")
        let user = try reader.name(field: "UserName")
        let dcSite = try reader.name(field: "DcSiteName")
        let clientSite = try reader.name(field: "ClientSiteName")
        // What follows is optional in practice: Samba 4.22 sends no NextClosestSiteName although
        // the ping asks for it (WITH_CLOSEST_SITE), so it is read only when the bytes are there.
        var nextClosest: String?
        if version & Self.versionWithAddress != 0, let size = try? reader.uint8() {
            try? reader.skip(Int(size))
        }
        if version & Self.versionWithClosestSite != 0, reader.bytes.count - reader.offset > 8 {
            nextClosest = try? reader.name(field: "NextClosestSiteName")
        }
        self.init(
            opcode: opcode, flags: flags, dnsForestName: forest, dnsDomainName: domain, dnsHostName: host,
            netbiosDomainName: netbiosDomain, netbiosComputerName: netbiosComputer, userName: user,
            dcSiteName: dcSite, clientSiteName: clientSite, nextClosestSiteName: nextClosest)
    }
}

/// Why a Netlogon value could not be read; each names the field and offset.
package enum NetlogonResponseError: Error, Equatable, CustomStringConvertible {
    case truncated(offset: Int)
    case unexpectedOpcode(UInt16)
    case badName(field: String, offset: Int, reason: String)

    package var description: String {
        switch self {
        case let .truncated(offset): "the Netlogon answer ends early (at byte \(offset))"
        case let .unexpectedOpcode(opcode):
            "the Netlogon answer is no NETLOGON_SAM_LOGON_RESPONSE_EX (opcode \(opcode)); the DC may not be an Active Directory DC"
        case let .badName(field, offset, reason): "the Netlogon answer's \(field) at byte \(offset) is malformed: \(reason)"
        }
    }
}

/// Little-endian integers and the compressed DNS names of RFC 1035 4.1.4, whose pointers count
/// from the start of the structure.
struct NetlogonReader {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func uint8() throws(NetlogonResponseError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() throws(NetlogonResponseError) -> UInt16 {
        let low = try uint8(), high = try uint8()
        return UInt16(low) | UInt16(high) << 8
    }

    mutating func uint32() throws(NetlogonResponseError) -> UInt32 {
        let low = try uint16(), high = try uint16()
        return UInt32(low) | UInt32(high) << 16
    }

    mutating func skip(_ count: Int) throws(NetlogonResponseError) {
        guard offset + count <= bytes.count else { throw .truncated(offset: bytes.count) }
        offset += count
    }

    /// One name: labels up to a zero length or a pointer; the reader moves past what this field
    /// itself holds (a pointer's target is read, not skipped).
    mutating func name(field: String) throws(NetlogonResponseError) -> String {
        let start = offset
        var labels: [String] = []
        var position = offset
        var end: Int?
        var jumps = 0
        while true {
            guard position < bytes.count else { throw .truncated(offset: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated(offset: position + 1) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                if end == nil { end = position + 2 }
                // A pointer that does not point back could loop; RFC 1035 names only earlier ones.
                guard target < position, jumps < 64 else {
                    throw .badName(field: field, offset: start, reason: "a pointer to byte \(target) does not point back")
                }
                jumps += 1
                position = target
            case 0x00:
                if length == 0 {
                    offset = end ?? position + 1
                    return labels.joined(separator: ".")
                }
                let first = position + 1
                guard first + Int(length) <= bytes.count else { throw .truncated(offset: bytes.count) }
                guard let label = String(validating: bytes[first..<first + Int(length)], as: UTF8.self) else {
                    throw .badName(field: field, offset: start, reason: "a label is not UTF-8")
                }
                labels.append(label)
                guard labels.count <= 128 else { throw .badName(field: field, offset: start, reason: "too many labels") }
                position = first + Int(length)
            default:
                throw .badName(field: field, offset: start, reason: "label length byte 0x\(String(length, radix: 16)) is neither a length nor a pointer")
            }
        }
    }
}

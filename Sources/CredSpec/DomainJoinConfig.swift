import JSON
import FoundationEssentials
import Glibc

/// The domain the container appears to be joined to (`DomainJoinConfig`), as `Get-ADDomain` shows it.
package struct DomainJoinConfig: Sendable, Equatable {
    /// The domain's SID, e.g. `S-1-5-21-1667864157-1729501337-2726663654`.
    package let sid: String
    /// The primary gMSA's name, without a trailing `$`.
    package let machineAccountName: String
    /// The domain's object GUID.
    package let guid: UUID
    /// The DNS name of the forest root domain, e.g. `contoso.test`.
    package let dnsTreeName: String
    /// The DNS name of the domain, e.g. `contoso.test`.
    package let dnsName: String
    /// The NetBIOS name of the domain, e.g. `CONTOSO`.
    package let netBiosName: String
    /// Properties ccgd does not know, kept in order so they are written back.
    package let unknownFields: JSONObject

    /// The domain's facts; a trailing `$` on `machineAccountName` is dropped.
    package init(
        sid: String, machineAccountName: String, guid: UUID, dnsTreeName: String, dnsName: String,
        netBiosName: String, unknownFields: JSONObject = [:]
    ) {
        self.sid = sid
        self.machineAccountName = NameSyntax.droppingTrailingDollar(machineAccountName)
        self.guid = guid
        self.dnsTreeName = dnsTreeName
        self.dnsName = dnsName
        self.netBiosName = netBiosName
        self.unknownFields = unknownFields
    }
}

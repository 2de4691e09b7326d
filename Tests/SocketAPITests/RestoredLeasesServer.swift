import CoreTestSupport
import CredSpec
import Foundation
import Kerberos
import Logging
@testable import SocketAPI
import SocketPeers
@testable import DirectoryPipeline
@testable import DomainModel
@testable import LeaseService
import TestSupport

/// A socket API over leases restored from journal records, as after a restart while the DC is
/// away: enough to test who sees which lease, with no domain. Root and `ForeignPeer` may connect.
enum RestoredLeasesServer {
    static let spec = CredSpecJSON().text

    /// A record of a lease of `spec` created by `creator` (and owned by it).
    static func record(_ id: LeaseID, creator: UInt32, name: String? = nil, container: String? = nil) -> LeaseRecord {
        LeaseRecord(
            id: id, credentialSpec: spec, credentialSpecName: name, owner: LeaseOwner(uid: creator, gid: creator),
            containerID: container, mountPath: "/var/run/ccgd", createdAt: Date(), creator: creator)
    }

    /// Journals `records` under `directory`, restores them and serves them on `directory/api.sock`.
    static func start(in directory: String, records: [LeaseRecord], adjust: (inout APIServer.Settings) -> Void = { _ in }) async throws -> APIServer {
        try FileManager.default.createDirectory(atPath: directory + "/run/leases", withIntermediateDirectories: true)
        // The named CredSpecs are still there: a lease whose CredSpec is gone would end at restore.
        for name in Set(records.compactMap(\.credentialSpecName)) {
            try spec.write(toFile: directory + "/" + name + ".json", atomically: true, encoding: .utf8)
        }
        let journal = LeaseJournal(directory: directory + "/state")
        _ = try journal.open()
        for record in records { try await journal.append(.created(record)) }
        let keeper = LeaseKeeper(
            settings: .init(runtimeDirectory: directory + "/run", journal: journal, credSpecs: CredSpecDirectory(path: directory)) { realm, _ in
                KerberosConfiguration(defaultRealm: realm, realms: [])
            },
            source: FailingAccountSource()) // restored leases stay, without files
        try await keeper.restore()
        var settings = APIServer.Settings(socketPath: directory + "/api.sock", policy: PeerPolicy(allowedUIDs: [0, ForeignPeer.uid], allowedGIDs: []))
        settings.socketMode = 0o666
        adjust(&settings)
        return try await APIServer.start(settings, router: APIRouter(keeper: keeper, health: ControllerHealth()), logger: Logger(label: "test"))
    }
}

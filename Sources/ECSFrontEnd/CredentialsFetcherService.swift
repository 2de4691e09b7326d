import CCGPlugin
import CredSpec
import CredentialsFetcherWire
import FoundationEssentials
import Logging
import Glibc
import GRPCUnaryServer
import DirectoryPipeline
import DomainModel
import LeaseService

/// credentials-fetcher's service on ccgd's lease keeper: an ECS lease is one ccgd lease per
/// distinct gMSA of the request, each in `<krb files directory>/<lease id>/<gMSA name>`, tied
/// together by the container id `ecs:<lease id>` (recorded, so they survive a restart).
package struct CredentialsFetcherService: Sendable {
    let keeper: LeaseKeeper
    let provided: ProvidedCredentials
    let krbFilesDirectory: String
    let policy: @Sendable () -> PeerPolicy
    /// Whether the host's computer account reads the gMSAs of a realm (`mode = domain-joined` in its `[domain]`).
    let readsWithMachineAccount: @Sendable (_ realm: String) -> Bool
    /// Ends the warm directory sessions of a portable user, so that a renewal's password is
    /// checked by the KDC rather than served by the TGT an earlier password obtained.
    let forgetSessions: @Sendable (_ username: String, _ domain: String) -> Void
    /// Logs a portable user in with a password (nothing kept): the KDC's word before a new
    /// password replaces the one held.
    let verifyPassword: @Sendable (_ credential: DomainCredential, _ spec: CredentialSpec) async throws(AccountFetchError) -> Void
    /// Where new lease ids come from (random; a test forces a collision).
    let newLeaseIDs: @Sendable () -> String
    /// Who owns the files of a gMSA's directory (by the gMSA's name), as configured now.
    let ownership: @Sendable (_ gMSA: String) -> ECSLeaseOwnership
    let logger: Logger

    package init(
        keeper: LeaseKeeper, provided: ProvidedCredentials, krbFilesDirectory: String,
        policy: @escaping @Sendable () -> PeerPolicy, readsWithMachineAccount: @escaping @Sendable (String) -> Bool,
        forgetSessions: @escaping @Sendable (_ username: String, _ domain: String) -> Void = { _, _ in },
        verifyPassword: @escaping @Sendable (_ credential: DomainCredential, _ spec: CredentialSpec) async throws(AccountFetchError) -> Void,
        newLeaseIDs: @escaping @Sendable () -> String = CredentialsFetcherService.newLeaseID,
        ownership: @escaping @Sendable (_ gMSA: String) -> ECSLeaseOwnership = { _ in ECSLeaseOwnership() },
        logger: Logger = Logger(label: "ccgd.ecs")
    ) {
        self.keeper = keeper
        self.provided = provided
        self.krbFilesDirectory = krbFilesDirectory
        self.policy = policy
        self.readsWithMachineAccount = readsWithMachineAccount
        self.forgetSessions = forgetSessions
        self.verifyPassword = verifyPassword
        self.newLeaseIDs = newLeaseIDs
        self.ownership = ownership
        self.logger = logger
    }

    static let containerPrefix = "ecs:"
    /// Where the agent mounts a gMSA's directory in the task's containers (read-only): the
    /// krb5.conf written there names its ticket cache and keytab at this path.
    package static let taskMountPath = "/var/credentials-fetcher/krbdir"
    /// This front end's name in a lease's `frontEnd`.
    package static let frontEnd = "ecs"

    /// Why an ECS lease may no longer be held under `policy` (a reload, a restart): its creator,
    /// the ECS agent, is no longer allowed to call.
    package static func refusal(toKeep lease: Lease, policy: PeerPolicy) -> String? {
        let creator = PeerCredentials(pid: 0, uid: lease.creator, gid: lease.creatorGID ?? 0)
        return LeaseAuthorization(policy: policy, peer: creator).creatorRefusal(toKeep: lease)
    }

    func addKerberosLease(_ message: CreateKerberosLeaseRequest, peer caller: PeerCredentials?) async throws -> CreateKerberosLeaseResponse {
        let peer = try peer(caller)
        guard !message.credspecContents.isEmpty else { throw ECSStatus.missing("credspec_contents", "at least one CredSpec") }
        var specs: [CredentialSpec] = []
        for (index, text) in message.credspecContents.enumerated() {
            do { specs.append(try ECSCredentialSpec.parseDomainJoined(text)) } catch { throw ECSStatus.invalid(error, index: index) }
        }
        // The host's computer account reads: only where the operator said this host is joined.
        for realm in Set(specs.map { $0.realm.uppercased() }).sorted() where !readsWithMachineAccount(realm) {
            throw ECSStatus.notDomainJoined(realm: realm)
        }
        let (id, created) = try await createLease(specs, peer: peer)
        return CreateKerberosLeaseResponse(leaseID: id, createdKerberosFilePaths: created)
    }

    /// AddNonDomainJoinedKerberosLease: its password was read straight into wiped storage.
    func addNonDomainJoinedKerberosLease(
        _ message: CreateNonDomainJoinedKerberosLeaseRequest, peer caller: PeerCredentials?
    ) async throws -> CreateKerberosLeaseResponse {
        let peer = try peer(caller)
        guard !message.credspecContents.isEmpty else { throw ECSStatus.missing("credspec_contents", "at least one CredSpec") }
        // `old:new` (a rotation under way): the password is new's, and new's leases are made.
        let user = try portableUser(username: message.username, password: message.password, domain: message.domain)
        let input = ProvidedCredentials.input(uid: peer.uid, domain: user.domain, username: user.username)
        var specs: [CredentialSpec] = []
        for (index, text) in message.credspecContents.enumerated() {
            do { specs.append(try ECSCredentialSpec.parse(text, pluginInput: input)) } catch { throw ECSStatus.invalid(error, index: index) }
        }
        // The agent's word becomes the user's password only once the KDC took it (or it is the
        // one held): a mistyped task definition must not break the user's other tasks.
        try await accept(message.password, of: user, uid: peer.uid, checkedWith: specs[0])
        let (id, created) = try await createLease(specs, peer: peer)
        return CreateKerberosLeaseResponse(leaseID: id, createdKerberosFilePaths: created)
    }

    /// RenewNonDomainJoinedKerberosLease (its password read straight into wiped storage): the
    /// user's password from now on, and every account read through it read again now. With
    /// `old:new`, the leases read through `old` are read through `new` from now on, and `old`'s
    /// password is dropped once no lease is read through it.
    func renewNonDomainJoinedKerberosLease(
        _ message: RenewNonDomainJoinedKerberosLeaseRequest, peer caller: PeerCredentials?
    ) async throws -> RenewNonDomainJoinedKerberosLeaseResponse {
        let peer = try peer(caller)
        let name = try PortableUserName(parsing: message.username)
        let user = try portableUser(username: message.username, password: message.password, domain: message.domain)
        let host = Self.hostAccountConfig(uid: peer.uid, domain: user.domain, username: user.username)
        let formerHost = name.former.map { Self.hostAccountConfig(uid: peer.uid, domain: user.domain, username: $0) }
        let leases = await keeper.allLeases()
        let moving = formerHost.map { former in leases.filter { $0.credentialSpec.hostAccountConfig == former } } ?? []
        // Any lease read through either user tells the domain to check the password against.
        // None: nothing to renew, and a password nobody checked is not kept for a later Add.
        if let spec = (leases.first { $0.credentialSpec.hostAccountConfig == host } ?? moving.first)?.credentialSpec {
            try await accept(message.password, of: user, uid: peer.uid, checkedWith: spec)
        }
        // The refresh logs in anew: a password AD no longer takes is refused by the KDC, not
        // served by the TGT it obtained earlier.
        forgetSessions(user.username, user.domain)
        var (renewed, failure) = await keeper.refreshAccounts(fetchedThrough: host)
        if let failure { throw ECSStatus.of(failure) }
        if let former = name.former, let formerHost {
            // After the refresh: the accounts new's leases share with old's are read once.
            let (moved, failure) = await move(moving, to: host)
            renewed += moved
            if !moved.isEmpty {
                logger.notice(
                    "ECS leases moved to another portable user",
                    metadata: [
                        "from": "\(user.domain)\\\(former)", "to": "\(user.domain)\\\(user.username)", "directories": "\(moved.count)",
                        "peer_uid": "\(peer.uid)",
                    ])
            }
            if let failure { throw ECSStatus.of(failure) }
            // The rotation is over for this caller: nothing is read through old any more.
            if await !keeper.allLeases().contains(where: { $0.credentialSpec.hostAccountConfig == formerHost }),
                provided.forget(uid: peer.uid, domain: user.domain, username: former)
            {
                forgetSessions(former, user.domain)
                logger.notice(
                    "a former portable user's password is dropped: no lease is read through it",
                    metadata: [
                        "user": "\(user.domain)\\\(former)", "peer_uid": "\(peer.uid)",
                    ])
            }
        }
        var response = RenewNonDomainJoinedKerberosLeaseResponse()
        var seen: Set<String> = []
        response.renewedKerberosFilePaths = renewed.filter { $0.containerID?.hasPrefix(Self.containerPrefix) ?? false }.map(\.directory)
            .filter { seen.insert($0).inserted }
        logger.info("ECS leases renewed", metadata: ["directories": "\(response.renewedKerberosFilePaths.count)", "peer_uid": "\(peer.uid)"])
        return response
    }

    /// `leases` read through `host` from now on: their CredSpecs take its PluginInput, and the
    /// keeper reads their accounts through it and rewrites their files and records.
    private func move(_ leases: [Lease], to host: HostAccountConfig) async -> (moved: [Lease], failure: LeaseError?) {
        var specs: [LeaseID: CredentialSpec] = [:]
        for lease in leases {
            guard let spec = try? lease.credentialSpec.replacingPluginInput(host.pluginInput) else { continue }
            specs[lease.id] = spec
        }
        let (moved, failure) = await keeper.adopt(specs)
        return (moved, failure)
    }

    /// The provided credentials' plug-in and the input naming `username` of `domain` for `uid`.
    static func hostAccountConfig(uid: UInt32, domain: String, username: String) -> HostAccountConfig {
        HostAccountConfig(pluginGUID: ProvidedCredentials.guid, pluginInput: .string(ProvidedCredentials.input(uid: uid, domain: domain, username: username)))
    }

    /// One ccgd lease per distinct gMSA of `specs` under a new ECS lease id; all or nothing.
    private func createLease(_ specs: [CredentialSpec], peer: PeerCredentials) async throws -> (id: String, directories: [String]) {
        let (id, parent) = try newLeaseDirectory()
        var created: [String] = []
        var made: [LeaseID] = []
        var seen: Set<String> = []
        do {
            for (index, spec) in specs.enumerated() {
                let name = spec.primaryAccount.hasSuffix("$") ? String(spec.primaryAccount.dropLast()) : spec.primaryAccount
                guard seen.insert(name.lowercased()).inserted else { continue }
                guard Self.isPlainName(name) else {
                    throw ECSStatus.invalid(
                        .invalid(
                            field: "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name", value: .string(name),
                            reason: .notAnAccountName), index: index)
                }
                let directory = parent + "/" + name
                let files = ownership(name)
                let lease = LeaseRequest(
                    source: .inline(spec), owner: files.owner(for: peer), fileAccess: files.access,
                    containerID: Self.containerPrefix + id, mountPath: Self.taskMountPath, creator: peer.uid,
                    creatorGID: peer.gid, directory: directory, frontEnd: Self.frontEnd,
                    reservedPlugin: ProvidedCredentials.guid)
                do { made.append(try await keeper.create(lease).id) } catch {
                    throw specs.count > 1 ? RPCStatus(code: ECSStatus.code(error.code), message: "credspec_contents[\(index)]: \(error)") : ECSStatus.of(error)
                }
                created.append(directory)
            }
            // The agent gave up (its deadline, a closed connection): nobody would delete these.
            if Task.isCancelled {
                throw RPCStatus(code: .cancelled, message: "the request was cancelled before its lease was answered; its leases are deleted.")
            }
        } catch {
            // Only what this request made: nothing of another lease, whatever its id.
            for lease in made { try? await keeper.delete(lease) }
            rmdir(parent)
            throw error
        }
        logger.info("ECS lease created", metadata: ["lease": "\(id)", "directories": "\(created.count)", "peer_uid": "\(peer.uid)"])
        return (id, created)
    }

    func deleteKerberosLease(_ message: DeleteKerberosLeaseRequest, peer caller: PeerCredentials?) async throws -> DeleteKerberosLeaseResponse {
        let peer = try peer(caller)
        let id = message.leaseID
        guard Self.isLeaseID(id) else { throw ECSStatus.noLease(id.isEmpty ? "\"\"" : id) }
        let leases = await leases(of: id, peer: peer)
        guard !leases.isEmpty else { throw ECSStatus.noLease(id) }
        var deleted: [String] = []
        for lease in leases {
            do { try await keeper.delete(lease.id) } catch {
                if case .notFound = error { continue }
                throw ECSStatus.of(error)
            }
            deleted.append(lease.directory)
        }
        rmdir(krbFilesDirectory + "/" + id)
        logger.info("ECS lease deleted", metadata: ["lease": "\(id)", "peer_uid": "\(peer.uid)"])
        return DeleteKerberosLeaseResponse(leaseID: id, deletedKerberosFilePaths: deleted)
    }

    func healthCheck(_ message: HealthCheckRequest, peer caller: PeerCredentials?) throws -> HealthCheckResponse {
        _ = try peer(caller)
        return HealthCheckResponse(status: "OK")
    }

    /// AddKerberosArnLease and RenewKerberosArnLease: refused (to an allowed caller) as not served.
    func arnLease(peer caller: PeerCredentials?) throws -> [UInt8] {
        _ = try peer(caller)
        throw Self.arnUnimplemented
    }

    static let arnUnimplemented = RPCStatus(
        code: .unimplemented,
        message: "ccgd does not fetch CredSpecs from AWS by ARN; pass the CredSpec contents with AddKerberosLease or AddNonDomainJoinedKerberosLease instead.")

    // MARK: - Helpers

    /// The caller, as the kernel named it when it connected, if the current allow-list still names it.
    private func peer(_ caller: PeerCredentials?) throws(RPCStatus) -> PeerCredentials {
        guard let peer = caller else { throw ECSStatus.unknownPeer }
        guard LeaseAuthorization(policy: policy(), peer: peer).mayCall else { throw ECSStatus.notAllowed(peer.uid) }
        return peer
    }

    /// Makes `password` the one `user` of `uid` is read with: at once when it is the one held;
    /// otherwise only once the KDC accepted it (a refusal is UNAUTHENTICATED and keeps the one
    /// held). The user's warm directory sessions end with a new password.
    private func accept(
        _ password: Password, of user: (username: String, domain: String), uid: UInt32,
        checkedWith spec: CredentialSpec
    ) async throws {
        if provided.holds(password, uid: uid, domain: user.domain, username: user.username) { return }
        let credential = DomainCredential(domainName: user.domain, username: user.username, password: password, source: "provided by the ECS agent")
        do { try await verifyPassword(credential, spec) } catch {
            logger.warning(
                "the KDC refused a password the ECS agent provided; the one held before stays in use",
                metadata: [
                    "user": "\(user.domain)\\\(user.username)", "peer_uid": "\(uid)", "error": "\(error)",
                ])
            if error.code == .authFailed {
                throw RPCStatus(
                    code: .unauthenticated,
                    message:
                        "the password given for \(user.domain)\\\(user.username) is refused by the domain (\(error)); fix the task's credentials (the password held before, if any, stays in use)."
                )
            }
            throw ECSStatus.of(.fetch(error))
        }
        provided.provide(uid: uid, domain: user.domain, username: user.username, password: password)
        forgetSessions(user.username, user.domain)
        await keeper.forgetFailedFetches(fetchedThrough: Self.hostAccountConfig(uid: uid, domain: user.domain, username: user.username))
    }

    /// The user whose password the request carries (`new` of `old:new`), and its domain.
    private func portableUser(username: String, password: Password, domain: String) throws -> (username: String, domain: String) {
        let name = try PortableUserName(parsing: username)
        guard !password.isEmpty else { throw ECSStatus.missing("password", "the portable user's password") }
        guard !domain.isEmpty else { throw ECSStatus.missing("domain", "the portable user's domain") }
        return (name.current, domain)
    }

    /// The ccgd leases of ECS lease `id` that `peer` may see (root: all).
    private func leases(of id: String, peer: PeerCredentials) async -> [Lease] {
        let authorization = LeaseAuthorization(policy: policy(), peer: peer)
        return await keeper.allLeases().filter { $0.containerID == Self.containerPrefix + id && authorization.maySee($0) }
    }

    /// A new lease id and its directory `<krb files directory>/<id>`, made by one mkdir that fails
    /// on an existing name: an id already taken is never shared (a few new ids are tried), and
    /// nothing of the lease that has it is touched.
    private func newLeaseDirectory() throws -> (id: String, path: String) {
        for _ in 0..<Self.leaseIDAttempts {
            let id = newLeaseIDs()
            let path = krbFilesDirectory + "/" + id
            guard mkdir(path, Self.leaseDirectoryMode) == 0 else {
                if errno == EEXIST { continue }
                throw RPCStatus(
                    code: .unavailable,
                    message: "cannot create \(path) (\(String(cString: strerror(errno)))); check that krb-files-directory of [ecs] is writable by ccgd.")
            }
            // The mode whatever the umask; through a descriptor, in case the name was swapped meanwhile.
            let made = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if made >= 0 { _ = fchmod(made, Self.leaseDirectoryMode); close(made) }
            return (id, path)
        }
        throw RPCStatus(
            code: .unavailable,
            message: "\(Self.leaseIDAttempts) new lease ids in a row were already taken in \(krbFilesDirectory); remove what is not ccgd's there.")
    }

    static let leaseIDAttempts = 5
    /// The agent (root) reaches each gMSA's directory by its path; nobody needs to list a lease's gMSAs.
    static let leaseDirectoryMode: mode_t = 0o711

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// 10 random characters, as credentials-fetcher's lease ids.
    package static func newLeaseID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    package static func isLeaseID(_ text: String) -> Bool {
        text.count == 10 && text.allSatisfy { alphabet.contains($0) }
    }

    /// A gMSA name usable as one directory name.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.utf8.contains(0)
    }
}

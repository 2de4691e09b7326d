import GRPCUnaryServer

/// The `username` of a non-domain-joined request: `user`, or `old:new` while the agent rotates
/// from one portable user to another (credentials-fetcher's blue/green convention; AD forbids
/// ':' in a user name, so the form cannot be a user's). The password given is `new`'s.
struct PortableUserName: Equatable {
    /// The user whose password the request carries.
    let current: String
    /// The user the rotation moves away from (nil: none, or the same user).
    let former: String?
}

extension PortableUserName {
    init(parsing username: String) throws(RPCStatus) {
        guard !username.isEmpty else { throw ECSStatus.missing("username", "the portable user's name") }
        let parts = username.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: (current, former) = (username, nil)
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            current = String(parts[1])
            // `alice:Alice` is one user: AD compares names without case, as the plug-in input does.
            former = parts[0].lowercased() == parts[1].lowercased() ? nil : String(parts[0])
        default:
            // Not echoed: a secret mistyped as user:password would show its password.
            throw RPCStatus(
                code: .invalidArgument,
                message:
                    "username is neither a user name nor OLD:NEW (a rotation from user OLD to user NEW, whose password is given): it has \(parts.count) parts separated by ':'\(parts.contains(where: \.isEmpty) ? ", one of them empty" : ""); fix the portable user's secret."
            )
        }
    }
}

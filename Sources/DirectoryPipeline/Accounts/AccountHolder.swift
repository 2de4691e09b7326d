import DomainModel
/// What keeps a cached account fresh: a lease using it, or the prefetch of the named CredSpec
/// (its file name without `.json`) that lists it.
enum AccountHolder: Hashable, Sendable {
    case lease(LeaseID)
    case prefetch(String)
}

import CredSpec
import DirectoryPipeline
import Observability

/// Why a CredSpec could not be made from the directory or written; each says what to do.
package enum CredSpecCreationError: CodedError, Sendable {
    /// Logging in, reaching a DC or reading the directory failed.
    case directory(AccountFetchError)
    /// The DC serves another domain than the one asked for.
    case otherDomain(requested: String, served: String, controller: String)
    /// No account of that name in the domain.
    case accountNotFound(account: String, domain: String)
    /// The name belongs to an account that is not a gMSA.
    case notGroupManaged(account: String, objectClass: String)
    /// The directory's facts do not make a valid CredSpec (an unusual NetBIOS name, say).
    case invalid(CredentialSpecError)
    /// The file exists and replacing it was not asked for.
    case fileExists(path: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// The CredSpec directory could not be listed.
    case unreadableDirectory(path: String, reason: String)

    package var code: ErrorCode {
        switch self {
        case let .directory(error): error.code
        case .otherDomain: .badRequest
        case .accountNotFound, .notGroupManaged: .accountNotFound
        case .invalid: .credspecInvalid
        case .fileExists: .badRequest
        case .unwritable, .unreadableDirectory: .internal
        }
    }

    package var description: String {
        switch self {
        case let .directory(error):
            return "\(error)"
        case let .otherDomain(requested, served, controller):
            return "domain controller \(controller) serves \(served), not \(requested); give a domain controller of \(requested)."
        case let .accountNotFound(account, domain):
            return "no account \(account) in \(domain); check the name of the gMSA (Get-ADServiceAccount, or samba-tool service-account list)."
        case let .notGroupManaged(account, objectClass):
            return "\(account) is a \(objectClass), not a group managed service account; give the name of a gMSA."
        case let .invalid(error):
            return "the directory's facts do not make a valid CredSpec: \(error)"
        case let .fileExists(path):
            return "\(path) already exists; give --force to replace it, or another name."
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason); check that its directory exists and that you may write there."
        case let .unreadableDirectory(path, reason):
            return "cannot list the CredSpec directory \(path): \(reason); check the path ([daemon] credspec-directory) and its permissions."
        }
    }
}

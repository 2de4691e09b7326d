/// A computer or managed service account's name. AD's sAMAccountName ends in `$`; CredSpecs,
/// flags and people write it with or without. Every comparison and every name made from it
/// (file names, salts, host names) goes through here, so all agree on the `$`.
package struct AccountName: Sendable, CustomStringConvertible {
    /// With `$`, in the spelling given: `WebApp01$`.
    package let samAccountName: String

    package init(_ text: some StringProtocol) {
        samAccountName = text.hasSuffix("$") ? String(text) : text + "$"
    }

    /// Without `$`: `WebApp01` (a CredSpec's Name, a container's host name, the account's part of its salt).
    package var bare: String { String(samAccountName.dropLast()) }

    /// Lower-cased, with `$`: what two spellings of one account compare equal by (AD's names fold case).
    package var normalized: String { samAccountName.lowercased() }

    package var description: String { samAccountName }
}

import DomainModel

/// The syntax of the Active Directory names a CredSpec holds.
enum NameSyntax {
    /// A gMSA name may be written as its sAMAccountName, with the trailing `$`; we keep it without.
    static func droppingTrailingDollar(_ name: String) -> String {
        AccountName(name).bare
    }

    /// `S-1-5-21-` and three 32-bit numbers: the SID of an Active Directory domain.
    static func isDomainSID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "S" || parts[0] == "s", parts[1] == "1", parts[2] == "5", parts[3] == "21"
        else { return false }
        return parts[4...].allSatisfy { part in
            !part.isEmpty && part.allSatisfy(\.isASCIIDigit) && UInt32(part) != nil
        }
    }

    /// Labels of 1–63 letters, digits and hyphens, not starting or ending with a hyphen, joined by
    /// dots, 253 characters at most (RFC 1123).
    static func isDNSName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "-" }
        }
    }

    /// 1–15 characters, none a dot, a control character or one of `\/:*?"<>|`.
    static func isNetBIOSName(_ text: String) -> Bool {
        (1...15).contains(text.count)
            && text.unicodeScalars.allSatisfy { scalar in
                !scalar.properties.generalCategory.isControlOrFormat && !"\\/:*?\"<>|.".unicodeScalars.contains(scalar)
            }
    }

    /// 1–15 characters (a gMSA's sAMAccountName without its `$`), none a space, a control
    /// character or one of `"/\[]:;|=,+*?<>@$`.
    static func isAccountName(_ text: String) -> Bool {
        (1...15).contains(text.count)
            && text.unicodeScalars.allSatisfy { scalar in
                !scalar.properties.isWhitespace && !scalar.properties.generalCategory.isControlOrFormat
                    && !"\"/\\[]:;|=,+*?<>@$".unicodeScalars.contains(scalar)
            }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}

extension Unicode.GeneralCategory {
    fileprivate var isControlOrFormat: Bool { self == .control || self == .format }
}

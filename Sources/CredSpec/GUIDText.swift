import FoundationEssentials
import Glibc

/// The textual GUID forms CredSpecs use: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, optionally in
/// braces, hexadecimal digits in either case.
enum GUIDText {
    static func uuid(from text: String) -> UUID? {
        var body = Substring(text)
        if body.first == "{" && body.last == "}" && body.count >= 2 {
            body = body.dropFirst().dropLast()
        }
        let utf8 = Array(body.utf8)
        guard utf8.count == 36 else { return nil }
        for (offset, byte) in utf8.enumerated() {
            let isHyphenPosition = [8, 13, 18, 23].contains(offset)
            let isHex =
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
            guard isHyphenPosition ? byte == UInt8(ascii: "-") : isHex else { return nil }
        }
        return UUID(uuidString: body.uppercased())
    }
}

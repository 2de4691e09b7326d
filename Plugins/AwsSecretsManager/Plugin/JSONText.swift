import SecretMemory

/// JSON the plug-in reads and writes: objects read from wiped storage, strings quoted. Not the
/// JSON module: its values hold secrets, which must stay in wiped storage, never in Strings.
enum JSONText {
    /// The members of the JSON object in `buffer`; a problem says where the JSON broke, never what it held.
    static func object(_ buffer: SecretBuffer) throws(SecretJSONReader.Problem) -> [(key: String, value: SecretJSONNode)] {
        try buffer.withBytes { (bytes) throws(SecretJSONReader.Problem) in
            var reader = SecretJSONReader(bytes)
            guard case let .object(members) = try reader.document() else { throw .init(text: "it is another JSON value") }
            return members
        }
    }

    static func quoted(_ text: String) -> String {
        let output = SecretBuffer(capacity: text.utf8.count + 2)
        appendQuoted(Array(text.utf8).withUnsafeBytes { SecretBytes(copying: $0) }, to: output)
        return output.withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Appends `bytes` (UTF-8) as a JSON string, escaping quotes, backslashes and control characters.
    static func appendQuoted(_ bytes: SecretBytes, to output: SecretBuffer) {
        bytes.withUnsafeBytes { appendQuoted($0, to: output) }
    }

    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: SecretBuffer) {
        let hex = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(byte)
            case 0..<0x20:
                for escaped in Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] { output.append(escaped) }
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    static func append(_ text: String, to output: SecretBuffer) {
        for byte in text.utf8 { output.append(byte) }
    }
}

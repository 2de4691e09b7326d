/// Writes a `JSONValue` as JSON text: our own writer because Foundation's reorders keys and
/// escapes `/`, which would mangle paths like `/etc/ccgd/…` in a PluginInput. It writes UTF-8
/// bytes and copies each run of a string that needs no escape at once: every lease's answer and
/// journal line go through here.
package enum JSONWriter {
    static let indentUnit: [UInt8] = Array("    ".utf8)

    package static func text(of value: JSONValue, prettyPrinted: Bool) -> String {
        String(decoding: bytes(of: value, prettyPrinted: prettyPrinted), as: UTF8.self)
    }

    package static func bytes(of value: JSONValue, prettyPrinted: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(value, to: &output, indent: prettyPrinted ? 0 : nil)
        if prettyPrinted { output.append(newline) }
        return output
    }

    private static let newline = UInt8(ascii: "\n")

    /// `indent` is nil for compact output, else the current line's depth.
    private static func write(_ value: JSONValue, to output: inout [UInt8], indent: Int?) {
        switch value {
        case .null: output += "null".utf8
        case .bool(let flag): output += (flag ? "true" : "false").utf8
        case .number(let literal): output += literal.utf8
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            writeContainer(elements, open: "[", close: "]", to: &output, indent: indent) { element, output, inner in
                write(element, to: &output, indent: inner)
            }
        case .object(let object):
            writeContainer(object.members, open: "{", close: "}", to: &output, indent: indent) { member, output, inner in
                writeString(member.key, to: &output)
                output += (inner == nil ? ":" : ": ").utf8
                write(member.value, to: &output, indent: inner)
            }
        }
    }

    private static func writeContainer<Element>(
        _ elements: [Element], open: Unicode.Scalar, close: Unicode.Scalar, to output: inout [UInt8], indent: Int?,
        writeElement: (Element, inout [UInt8], Int?) -> Void
    ) {
        output.append(UInt8(ascii: open))
        guard !elements.isEmpty else { return output.append(UInt8(ascii: close)) }
        let inner = indent.map { $0 + 1 }
        for (index, element) in elements.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if let inner { newLine(depth: inner, to: &output) }
            writeElement(element, &output, inner)
        }
        if let indent { newLine(depth: indent, to: &output) }
        output.append(UInt8(ascii: close))
    }

    private static func newLine(depth: Int, to output: inout [UInt8]) {
        output.append(newline)
        for _ in 0..<depth { output += indentUnit }
    }

    private static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): output += "\\\"".utf8
                case UInt8(ascii: "\\"): output += "\\\\".utf8
                case UInt8(ascii: "\n"): output += "\\n".utf8
                case UInt8(ascii: "\r"): output += "\\r".utf8
                case UInt8(ascii: "\t"): output += "\\t".utf8
                case 0x08: output += "\\b".utf8
                case 0x0C: output += "\\f".utf8
                default:
                    let hex = Array("0123456789ABCDEF".utf8)
                    output += "\\u00".utf8
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0F)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

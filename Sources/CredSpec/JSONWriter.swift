/// Writes a `JSONValue` as JSON text: our own writer because Foundation's reorders keys and
/// escapes `/`, which would mangle paths like `/etc/ccgd/…` in a PluginInput.
enum JSONWriter {
    static let indentUnit = "    "

    static func text(of value: JSONValue, prettyPrinted: Bool) -> String {
        var output = ""
        write(value, to: &output, indent: prettyPrinted ? "" : nil)
        if prettyPrinted { output += "\n" }
        return output
    }

    /// `indent` is nil for compact output, else the current line's indentation.
    private static func write(_ value: JSONValue, to output: inout String, indent: String?) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let literal): output += literal
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            writeContainer(elements, open: "[", close: "]", to: &output, indent: indent) { element, output, inner in
                write(element, to: &output, indent: inner)
            }
        case .object(let object):
            writeContainer(object.members, open: "{", close: "}", to: &output, indent: indent) { member, output, inner in
                writeString(member.key, to: &output)
                output += inner == nil ? ":" : ": "
                write(member.value, to: &output, indent: inner)
            }
        }
    }

    private static func writeContainer<Element>(
        _ elements: [Element], open: String, close: String, to output: inout String, indent: String?,
        writeElement: (Element, inout String, String?) -> Void
    ) {
        output += open
        guard !elements.isEmpty else { return output += close }
        let inner = indent.map { $0 + indentUnit }
        for (index, element) in elements.enumerated() {
            if index > 0 { output += "," }
            if let inner { output += "\n" + inner }
            writeElement(element, &output, inner)
        }
        if let indent { output += "\n" + indent }
        output += close
    }

    private static func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16, uppercase: true)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// Why a message could not be read: what was wrong, which field (its number, after those of the
/// messages it is nested in) and where (the byte offset from the start of the outermost message).
/// Never holds a field's bytes: one may be a password or a secret.
package struct ProtobufError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Problem: Equatable, Sendable {
        /// The message ends inside a varint (a key, a length or a value).
        case truncatedVarint
        /// A varint of more than 10 bytes, or one whose value does not fit in 64 bits.
        case overlongVarint
        /// A key's field number is 0 or above 2^29 - 1.
        case invalidFieldNumber(UInt64)
        /// A wire type proto3 does not use: 3 and 4 (groups), 6, 7.
        case unsupportedWireType(UInt8)
        /// A length-delimited field's length runs past the end of its message.
        case lengthPastEnd(length: UInt64, remaining: Int)
        /// A 32- or 64-bit field runs past the end of its message.
        case truncatedFixed(size: Int, remaining: Int)
        /// A string field that is not UTF-8 (proto3 strings must be).
        case notUTF8
        /// A field read as another wire type than it has (a decoder's mistake, never the input's).
        case wrongWireType(expected: WireType, found: WireType)
    }

    package let problem: Problem
    /// The field's number, after the numbers of the fields it is nested in; empty when the
    /// problem is in a key (no field number was read yet).
    package let fieldPath: [Int]
    /// Where the field (or the unreadable key) starts, from the first byte of the outermost message.
    package let offset: Int
    /// Whether the problem is in a field's key (then `fieldPath` names the enclosing fields).
    package let inKey: Bool

    package init(_ problem: Problem, fieldPath: [Int], offset: Int, inKey: Bool = false) {
        self.problem = problem
        self.fieldPath = fieldPath
        self.offset = offset
        self.inKey = inKey
    }

    package var description: String {
        let field = "field \(fieldPath.map(String.init).joined(separator: "."))"
        let place = inKey ? (fieldPath.isEmpty ? "a key at byte \(offset)" : "a key in \(field) at byte \(offset)") : "\(field) at byte \(offset)"
        switch problem {
        case .truncatedVarint: return "\(place): the message ends inside a varint"
        case .overlongVarint: return "\(place): a varint longer than 10 bytes or larger than 64 bits"
        case let .invalidFieldNumber(number): return "\(place): field number \(number) is not between 1 and \(maximumFieldNumber)"
        case let .unsupportedWireType(type): return "\(place): wire type \(type), which proto3 does not use"
        case let .lengthPastEnd(length, remaining):
            return "\(place): its length, \(length) bytes, runs past the end of its message (\(remaining) bytes left)"
        case let .truncatedFixed(size, remaining): return "\(place): a \(size)-byte value with \(remaining) bytes left in its message"
        case .notUTF8: return "\(place): a string that is not UTF-8"
        case let .wrongWireType(expected, found): return "\(place): read as \(expected) but it is \(found)"
        }
    }
}

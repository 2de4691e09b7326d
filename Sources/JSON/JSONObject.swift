/// A JSON object's members in document order (the reader refuses a key given twice unless asked to keep it).
package struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The members in the order they were read or built.
    package var members: [(key: String, value: JSONValue)]

    /// An object with these members, in this order.
    package init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// An object whose members keep the literal's order.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.members = elements.map { (key: $0.0, value: $0.1) }
    }

    /// Whether the object has no members.
    package var isEmpty: Bool { members.isEmpty }

    /// The keys in order.
    package var keys: [String] { members.map(\.key) }

    /// The value of the first member whose key is exactly `key`.
    package subscript(key: String) -> JSONValue? {
        members.first { $0.key == key }?.value
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.elementsEqual(rhs.members) { $0.key == $1.key && $0.value == $1.value }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}

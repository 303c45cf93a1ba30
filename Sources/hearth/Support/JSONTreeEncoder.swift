import HearthCore

/// Encodes a `--json` document straight into HearthCore's ``JSON`` tree, which writes the
/// canonical text (``JSON/canonicalText``) every document is printed in.
///
/// Why not `JSONEncoder`: its text had to be parsed back into the tree to be written canonically
/// (see ``Output/jsonText(_:)``), and a county's `member list --json` spent most of its minute
/// encoding, parsing and writing each member's document twice over. The documents are plain
/// `Codable` values holding strings, integers, booleans, nulls, arrays and objects, which map
/// onto the tree one to one; `JSONDocumentTests` checks the two ways give the same bytes.
enum JSONTreeEncoder {
    /// The tree `value` encodes to.
    static func encode<Value: Encodable>(_ value: Value) throws -> JSON {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        return root.json
    }

    /// A value being built: a leaf, an object or an array, filled in place by the containers
    /// that share it (a class, so that a nested container's writes reach its parent).
    fileprivate final class Node {
        var leaf: JSON?
        var object: [String: Node]?
        var array: [Node]?

        init(_ leaf: JSON? = nil) { self.leaf = leaf }

        var json: JSON {
            if let object {
                var members: [String: JSON] = [:]
                members.reserveCapacity(object.count)
                for (key, node) in object { members[key] = node.json }
                return .object(members)
            }
            if let array { return .array(array.map(\.json)) }
            // A value that asked for no container wrote nothing: JSONEncoder writes `{}` for it.
            return leaf ?? .object([:])
        }

        func makeObject() { if object == nil { object = [:] } }
        func makeArray() { if array == nil { array = [] } }
    }

    fileprivate struct TreeEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.makeObject()
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.makeArray()
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(node: node, codingPath: codingPath)
        }
    }

    /// A number as the canonical form holds it: an integer, or an error naming where.
    fileprivate static func integer<Number: BinaryInteger>(_ number: Number, at codingPath: [any CodingKey]) throws
        -> JSON
    {
        guard let value = Int64(exactly: number) else {
            throw EncodingError.invalidValue(
                number,
                .init(codingPath: codingPath, debugDescription: "\(number) does not fit a JSON document's integers"))
        }
        return .integer(value)
    }

    /// A floating-point number: written as an integer when it is one; the documents hold no other.
    fileprivate static func integer<Number: BinaryFloatingPoint>(_ number: Number, at codingPath: [any CodingKey])
        throws -> JSON
    {
        guard let value = Int64(exactly: number) else {
            throw EncodingError.invalidValue(
                number,
                .init(
                    codingPath: codingPath,
                    debugDescription: "\(number) is not an integer; documents hold integers only"))
        }
        return .integer(value)
    }

    /// The node a value encodes into, its coding path, and the encoding itself.
    fileprivate static func encode<Value: Encodable>(_ value: Value, into node: Node, at codingPath: [any CodingKey])
        throws
    {
        switch value {
        case let text as String: node.leaf = .string(text)
        case let flag as Bool: node.leaf = .bool(flag)
        case let number as Int: node.leaf = .integer(Int64(number))
        case let number as Int64: node.leaf = .integer(number)
        // A tree carried as it is (the op in `log --json`) is already what it encodes to.
        case let embedded as EmbeddedJSON: node.leaf = embedded.value
        default: try value.encode(to: TreeEncoder(node: node, codingPath: codingPath))
        }
    }

    fileprivate struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        private func set(_ value: JSON, _ key: Key) { node.object?[key.stringValue] = Node(value) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value, at: codingPath + [key]), key)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value, at: codingPath + [key]), key)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value, at: codingPath + [key]), key)
        }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value, at: codingPath + [key]), key)
        }
        mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
            let child = Node()
            node.object?[key.stringValue] = child
            try JSONTreeEncoder.encode(value, into: child, at: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.object?[key.stringValue] = child
            child.makeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath + [key]))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node()
            node.object?[key.stringValue] = child
            child.makeArray()
            return Unkeyed(node: child, codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

        private func superEncoder(named name: String) -> any Encoder {
            let child = Node()
            node.object?[name] = child
            return TreeEncoder(node: child, codingPath: codingPath)
        }
    }

    fileprivate struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.array?.count ?? 0 }

        private func append(_ value: JSON) { node.array?.append(Node(value)) }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(try JSONTreeEncoder.integer(value, at: codingPath)) }
        mutating func encode(_ value: Float) throws { append(try JSONTreeEncoder.integer(value, at: codingPath)) }
        mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int8) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int16) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int32) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int64) throws { append(.integer(value)) }
        mutating func encode(_ value: UInt) throws { append(try JSONTreeEncoder.integer(value, at: codingPath)) }
        mutating func encode(_ value: UInt8) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { append(try JSONTreeEncoder.integer(value, at: codingPath)) }
        mutating func encode<Value: Encodable>(_ value: Value) throws {
            let child = Node()
            node.array?.append(child)
            try JSONTreeEncoder.encode(value, into: child, at: codingPath)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.array?.append(child)
            child.makeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child, codingPath: codingPath))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node()
            node.array?.append(child)
            child.makeArray()
            return Unkeyed(node: child, codingPath: codingPath)
        }

        mutating func superEncoder() -> any Encoder {
            let child = Node()
            node.array?.append(child)
            return TreeEncoder(node: child, codingPath: codingPath)
        }
    }

    fileprivate struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.leaf = .null }
        mutating func encode(_ value: Bool) throws { node.leaf = .bool(value) }
        mutating func encode(_ value: String) throws { node.leaf = .string(value) }
        mutating func encode(_ value: Double) throws { node.leaf = try JSONTreeEncoder.integer(value, at: codingPath) }
        mutating func encode(_ value: Float) throws { node.leaf = try JSONTreeEncoder.integer(value, at: codingPath) }
        mutating func encode(_ value: Int) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int8) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int16) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int32) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int64) throws { node.leaf = .integer(value) }
        mutating func encode(_ value: UInt) throws { node.leaf = try JSONTreeEncoder.integer(value, at: codingPath) }
        mutating func encode(_ value: UInt8) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt16) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt32) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt64) throws { node.leaf = try JSONTreeEncoder.integer(value, at: codingPath) }
        mutating func encode<Value: Encodable>(_ value: Value) throws {
            try JSONTreeEncoder.encode(value, into: node, at: codingPath)
        }
    }
}

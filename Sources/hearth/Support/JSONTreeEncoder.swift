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
        try value.encode(to: TreeEncoder(node: root))
        return root.json
    }

    /// A value being built: a leaf, an object or an array, filled in place by the containers
    /// that share it (a class, so that a nested container's writes reach its parent). A leaf
    /// inside an object or an array is kept as its value, not as a node of its own.
    fileprivate final class Node {
        var leaf: JSON?
        var object: [String: Entry]?
        var array: [Entry]?

        var json: JSON {
            if let object { return .object(object.mapValues(\.json)) }
            if let array { return .array(array.map(\.json)) }
            // A value that asked for no container wrote nothing: JSONEncoder writes `{}` for it.
            return leaf ?? .object([:])
        }

        func makeObject() { if object == nil { object = [:] } }
        func makeArray() { if array == nil { array = [] } }
    }

    /// A member of an object or an array: a value, or a node still being filled.
    fileprivate enum Entry {
        case value(JSON)
        case node(Node)

        var json: JSON {
            switch self {
            case .value(let value): value
            case .node(let node): node.json
            }
        }
    }

    fileprivate struct TreeEncoder: Encoder {
        let node: Node
        /// Not tracked: no document reads it, and keeping it cost an array for every key.
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.makeObject()
            return KeyedEncodingContainer(Keyed<Key>(node: node))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.makeArray()
            return Unkeyed(node: node)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer {
            Single(node: node)
        }
    }

    /// A number as the canonical form holds it: an integer, or an error naming where.
    fileprivate static func integer<Number: BinaryInteger>(_ number: Number) throws
        -> JSON
    {
        guard let value = Int64(exactly: number) else {
            throw EncodingError.invalidValue(
                number,
                .init(codingPath: [], debugDescription: "\(number) does not fit a JSON document's integers"))
        }
        return .integer(value)
    }

    /// A floating-point number: written as an integer when it is one; the documents hold no other.
    fileprivate static func integer<Number: BinaryFloatingPoint>(_ number: Number)
        throws -> JSON
    {
        guard let value = Int64(exactly: number) else {
            throw EncodingError.invalidValue(
                number,
                .init(
                    codingPath: [],
                    debugDescription: "\(number) is not an integer; documents hold integers only"))
        }
        return .integer(value)
    }

    /// The tree of a value made at once, without containers: a text, a flag, an integer, an
    /// optional text, an embedded tree, and texts (or optional texts) in an array or by name;
    /// nil for any other, which encodes itself.
    fileprivate static func leaf<Value: Encodable>(_ value: Value) -> JSON? {
        // Texts by their type first, the same trees the casts and the standard library's
        // encoding give them: each `as` asks the runtime, up to six times a value, and a
        // dictionary encoded through its keyed container makes a key and a box per entry; a
        // county's `member list --json` encodes six million texts, most in a record's fields.
        if Value.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if Value.self == String?.self { return unsafeBitCast(value, to: String?.self).map(JSON.string) ?? .null }
        if Value.self == [String: String?].self {
            return .object(unsafeBitCast(value, to: [String: String?].self).mapValues { $0.map(JSON.string) ?? .null })
        }
        if Value.self == [String: String].self {
            return .object(unsafeBitCast(value, to: [String: String].self).mapValues(JSON.string))
        }
        if Value.self == [String].self { return .array(unsafeBitCast(value, to: [String].self).map(JSON.string)) }
        return switch value {
        case let text as String: .string(text)
        case let flag as Bool: .bool(flag)
        case let number as Int: .integer(Int64(number))
        case let number as Int64: .integer(number)
        // A tree carried as it is (the op in `log --json`) is already what it encodes to.
        case let embedded as EmbeddedJSON: embedded.value
        // An absent optional (a field without a value): `null`, as Optional encodes it.
        case let text as String?: text.map(JSON.string) ?? .null
        default: nil
        }
    }

    /// Encodes `value` into `node`.
    fileprivate static func encode<Value: Encodable>(_ value: Value, into node: Node) throws {
        if let leaf = leaf(value) {
            node.leaf = leaf
        } else {
            try value.encode(to: TreeEncoder(node: node))
        }
    }

    /// The entry `value` makes in an object or an array: its value, or a node it filled.
    fileprivate static func entry<Value: Encodable>(_ value: Value) throws -> Entry {
        if let leaf = leaf(value) { return .value(leaf) }
        let node = Node()
        try value.encode(to: TreeEncoder(node: node))
        return .node(node)
    }

    fileprivate struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        private func set(_ value: JSON, _ key: Key) { node.object?[key.stringValue] = .value(value) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value), key)
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value), key)
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value), key)
        }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws {
            set(try JSONTreeEncoder.integer(value), key)
        }
        mutating func encode<Value: Encodable>(_ value: Value, forKey key: Key) throws {
            node.object?[key.stringValue] = try JSONTreeEncoder.entry(value)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.object?[key.stringValue] = .node(child)
            child.makeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Node()
            node.object?[key.stringValue] = .node(child)
            child.makeArray()
            return Unkeyed(node: child)
        }

        mutating func superEncoder() -> any Encoder { superEncoder(named: "super") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key.stringValue) }

        private func superEncoder(named name: String) -> any Encoder {
            let child = Node()
            node.object?[name] = .node(child)
            return TreeEncoder(node: child)
        }
    }

    fileprivate struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }
        var count: Int { node.array?.count ?? 0 }

        private func append(_ value: JSON) { node.array?.append(.value(value)) }

        mutating func encodeNil() throws { append(.null) }
        mutating func encode(_ value: Bool) throws { append(.bool(value)) }
        mutating func encode(_ value: String) throws { append(.string(value)) }
        mutating func encode(_ value: Double) throws { append(try JSONTreeEncoder.integer(value)) }
        mutating func encode(_ value: Float) throws { append(try JSONTreeEncoder.integer(value)) }
        mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int8) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int16) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int32) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: Int64) throws { append(.integer(value)) }
        mutating func encode(_ value: UInt) throws { append(try JSONTreeEncoder.integer(value)) }
        mutating func encode(_ value: UInt8) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { append(.integer(Int64(value))) }
        mutating func encode(_ value: UInt64) throws { append(try JSONTreeEncoder.integer(value)) }
        mutating func encode<Value: Encodable>(_ value: Value) throws {
            node.array?.append(try JSONTreeEncoder.entry(value))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Node()
            node.array?.append(.node(child))
            child.makeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(node: child))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Node()
            node.array?.append(.node(child))
            child.makeArray()
            return Unkeyed(node: child)
        }

        mutating func superEncoder() -> any Encoder {
            let child = Node()
            node.array?.append(.node(child))
            return TreeEncoder(node: child)
        }
    }

    fileprivate struct Single: SingleValueEncodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() throws { node.leaf = .null }
        mutating func encode(_ value: Bool) throws { node.leaf = .bool(value) }
        mutating func encode(_ value: String) throws { node.leaf = .string(value) }
        mutating func encode(_ value: Double) throws { node.leaf = try JSONTreeEncoder.integer(value) }
        mutating func encode(_ value: Float) throws { node.leaf = try JSONTreeEncoder.integer(value) }
        mutating func encode(_ value: Int) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int8) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int16) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int32) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: Int64) throws { node.leaf = .integer(value) }
        mutating func encode(_ value: UInt) throws { node.leaf = try JSONTreeEncoder.integer(value) }
        mutating func encode(_ value: UInt8) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt16) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt32) throws { node.leaf = .integer(Int64(value)) }
        mutating func encode(_ value: UInt64) throws { node.leaf = try JSONTreeEncoder.integer(value) }
        mutating func encode<Value: Encodable>(_ value: Value) throws {
            try JSONTreeEncoder.encode(value, into: node)
        }
    }
}

/// One value written to one field by one op.
///
/// Values stay few and plain so that every replica compares and encodes them the same
/// way: dates and months are text in ISO form, money is integer fen, a `union` field holds
/// a sorted set of strings, and a sensitive field (ID number, bank card) holds only its
/// sealed form, never the clear text.
public enum FieldValue: Hashable, Sendable {
    case null
    case text(String)
    case integer(Int64)
    case set([String])
    case sealed(SealedValue)

    /// A set value with duplicates removed and members sorted by their UTF-8 bytes, its
    /// canonical form. Duplicates are judged by bytes, not by Swift's canonical-equivalence
    /// `==`, so two spellings of one character never collapse differently on two replicas.
    public static func makeSet<S: Sequence>(_ members: S) -> FieldValue where S.Element == String {
        let sorted = members.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var unique: [String] = []
        for member in sorted where unique.last.map({ !$0.utf8.elementsEqual(member.utf8) }) ?? true {
            unique.append(member)
        }
        return .set(unique)
    }

    /// Whether two values mean the same thing: sealed values compare by their keyed hash,
    /// since two sealings of one ID number differ in their nonce.
    public func sameMeaning(as other: FieldValue) -> Bool {
        switch (self, other) {
        case (.sealed(let lhs), .sealed(let rhs)): return lhs.digest == rhs.digest
        default: return self == other
        }
    }

    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    public var isNull: Bool { self == .null }

    public var json: JSON {
        switch self {
        case .null: return .null
        case .text(let text): return .string(text)
        case .integer(let number): return .integer(number)
        case .set(let members): return .array(members.map(JSON.string))
        case .sealed(let sealed): return .object(["box": .string(sealed.box), "hmac": .string(sealed.digest)])
        }
    }

    public init?(json: JSON) {
        switch json {
        case .null: self = .null
        case .string(let text): self = .text(text)
        case .integer(let number): self = .integer(number)
        case .array(let items):
            var members: [String] = []
            for item in items {
                guard let text = item.stringValue else { return nil }
                members.append(text)
            }
            self = FieldValue.makeSet(members)
        case .object(let members):
            guard members.count == 2, let box = members["box"]?.stringValue, let digest = members["hmac"]?.stringValue
            else { return nil }
            self = .sealed(SealedValue(box: box, digest: digest))
        case .bool: return nil
        }
    }
}

/// A sensitive value as it travels and rests: AES-GCM ciphertext plus a keyed hash.
///
/// The hash (HMAC-SHA256 under the county data key) lets replicas find equal ID numbers
/// and duplicates without decrypting; the box can be opened only with the key, which is
/// kept outside the database file.
public struct SealedValue: Hashable, Sendable {
    /// Base64 of the AES-GCM combined form (nonce, ciphertext, tag).
    public let box: String
    /// Lower-case hex HMAC-SHA256 of the normalised clear text.
    public let digest: String

    public init(box: String, digest: String) {
        self.box = box
        self.digest = digest
    }
}

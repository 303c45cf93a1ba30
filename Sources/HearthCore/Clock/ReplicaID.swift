/// The identity of one replica (a village or township node, or the hub).
///
/// Every op a replica makes is named by a ``Dot`` under this id, so two replicas must
/// never share one: a copied database that keeps its id would be a fork. It is 12 lower-case
/// hex digits, short enough to read aloud and to embed in record ids.
public struct ReplicaID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// Checks a text form read from outside (a file, a flag, the wire).
    public init?(validating text: String) {
        guard text.utf8.count == 12, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        self.value = text
    }

    /// A fresh random id from the given generator.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ReplicaID {
        let digits = Array("0123456789abcdef")
        var text = ""
        for _ in 0..<12 { text.append(digits[Int(generator.next() % 16)]) }
        return ReplicaID(text)
    }

    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool { lhs.value < rhs.value }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// An optional value of a `--json` document written as `null` when it is nil, never left out.
///
/// Swift's synthesized `Encodable` leaves a nil optional out of the object; Hearth's documents
/// have always carried such keys with `null` (a lead's `note`, a node's `last_sync`), and scripts
/// read them with `doc["note"]`, so the key stays. Decoding accepts `null` and a missing key alike.
@propertyWrapper
struct Nullable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key decodes as nil, as `null` does.
    func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// The stored form of a record's merge metadata: canonical JSON, so that two replicas
/// holding the same state hold the same bytes.
extension RecordState {
    /// `{"field": [["replica:counter", millis, logical, "rank", value], ...], ...}`
    public var registersJSON: JSON {
        .object(
            registers.mapValues { register in
                .array(
                    register.entries.map { entry in
                        .array([
                            .string(entry.dot.description), .integer(entry.hlc.millis),
                            .integer(Int64(entry.hlc.logical)),
                            .string(entry.rank.rawValue), entry.value.json,
                        ])
                    })
            })
    }

    /// The canonical text of ``registersJSON``, written directly: it is written for every
    /// changed record on every batch. A test keeps it equal to the JSON document's text.
    public var registersText: String {
        var out: [UInt8] = []
        out.reserveCapacity(64 * registers.count)
        out.append(UInt8(ascii: "{"))
        for (index, name) in registers.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSON.writeString(name, into: &out)
            out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: "[")])
            for (position, entry) in registers[name]!.entries.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                JSON.writeString(entry.dot.description, into: &out)
                out.append(contentsOf: ",\(entry.hlc.millis),\(entry.hlc.logical),".utf8)
                JSON.writeString(entry.rank.rawValue, into: &out)
                out.append(UInt8(ascii: ","))
                entry.value.json.write(into: &out)
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical text of ``clockJSON``.
    public var clockText: String {
        "{" + clock.sorted.map { "\"\($0.replica.value)\":\($0.counter)" }.joined(separator: ",") + "}"
    }

    /// `{"replica": counter, ...}`
    public var clockJSON: JSON {
        .object(Dictionary(uniqueKeysWithValues: clock.entries.map { ($0.key.value, JSON.integer(Int64($0.value))) }))
    }

    /// Rebuilds a state from its stored form; nil when the bytes are not what this code wrote.
    public init?(id: RecordID, clock clockJSON: JSON, registers registersJSON: JSON) {
        guard let clockMembers = clockJSON.objectValue, let fieldMembers = registersJSON.objectValue else { return nil }
        var entries: [ReplicaID: UInt64] = [:]
        for (key, value) in clockMembers {
            guard let replica = ReplicaID(validating: key), let counter = value.integerValue else { return nil }
            entries[replica] = UInt64(counter)
        }
        var registers: [String: Register] = [:]
        for (name, list) in fieldMembers {
            guard let items = list.arrayValue else { return nil }
            var registerEntries: [RegisterEntry] = []
            for item in items {
                guard let parts = item.arrayValue, parts.count == 5, let dotText = parts[0].stringValue,
                    let dot = Dot(text: dotText), let millis = parts[1].integerValue,
                    let logical = parts[2].integerValue, let rankText = parts[3].stringValue,
                    let rank = ScopePrefix.Level(rawValue: rankText), let value = FieldValue(json: parts[4])
                else { return nil }
                registerEntries.append(
                    RegisterEntry(
                        dot: dot, hlc: HLC(millis: millis, logical: UInt32(logical)), rank: rank, value: value))
            }
            registers[name] = Register(entries: registerEntries)
        }
        self.init(id: id, clock: VersionVector(entries), registers: registers)
    }
}

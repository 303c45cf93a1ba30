/// The stored form of a record's merge metadata: canonical JSON, so that two replicas
/// holding the same state hold the same bytes.
extension RecordState {
    /// `{"field": [["replica:counter", millis, logical, "rank", value], ...], ...}`
    public var registersJSON: JSON {
        .object(registers.mapValues { register in
            .array(register.entries.map { entry in
                .array([
                    .string(entry.dot.description), .integer(entry.hlc.millis), .integer(Int64(entry.hlc.logical)),
                    .string(entry.rank.rawValue), entry.value.json,
                ])
            })
        })
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
                    RegisterEntry(dot: dot, hlc: HLC(millis: millis, logical: UInt32(logical)), rank: rank, value: value))
            }
            registers[name] = Register(entries: registerEntries)
        }
        self.init(id: id, clock: VersionVector(entries), registers: registers)
    }
}

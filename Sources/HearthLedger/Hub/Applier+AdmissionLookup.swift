import HearthCore
import HearthStore

/// The hub judges a pushed op against the state the applier holds: the earlier ops of the
/// batch applied, in the transaction that will apply this one.
extension Applier: AdmissionLookup {
    package mutating func quarantinedVillage(of id: RecordID) throws -> String? {
        let creator = id.creator
        guard
            let body = try sql.value(
                "SELECT body FROM quarantine WHERE replica = ? AND counter = ? AND state = 'held'",
                [.text(creator.replica.value), .integer(Int64(creator.counter))])?.bytes,
            let op = try? Op(logged: body), op.record == id
        else { return nil }
        return op.scope.value
    }

    package mutating func countyConfiguration() throws -> CountyConfiguration {
        if let configuration { return configuration }
        let read = try ReplicaCore.countyConfiguration(sql)
        configuration = read
        return read
    }
}

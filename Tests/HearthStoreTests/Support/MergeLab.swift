import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// A temporary directory of real SQLite replicas sharing one key, with a fake wall clock.
///
/// Every replica of a lab uses the same `KeyMaterial`, so a sealed value written on one can
/// be opened on another, as with replicas of one county. The directory is removed when the
/// lab goes away.
final class MergeLab {
    let directory: URL
    let keys: KeyMaterial
    /// The fake wall clock, in milliseconds; tests advance it by hand.
    var now: Int64 = 1_717_200_000_000
    private var made = 0
    /// Replica ids come from this, so one seed replays the same ids and the same HLC ties.
    private var ids: SplitMix64

    static let county = "421281"
    static let township = "421281101"
    static let village = "421281101001"
    static let villageCode = try! DivisionCode.parse(village, field: "village")

    init(seed: UInt64 = 0x4845_4152_5448) throws {
        ids = SplitMix64(seed: seed)
        directory = MergeLab.root.appendingPathComponent("hearth-merge-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        keys = KeyMaterial.generate()
    }

    /// Where labs live: `HEARTH_TEST_TMPDIR` if set, else /dev/shm when there is one (a key
    /// file and a new database each cost an fsync, which a disk makes 10 times slower), else
    /// the system's temporary directory.
    static let root: URL = {
        if let path = ProcessInfo.processInfo.environment["HEARTH_TEST_TMPDIR"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        if FileManager.default.isWritableFile(atPath: "/dev/shm") {
            return URL(fileURLWithPath: "/dev/shm", isDirectory: true)
        }
        return FileManager.default.temporaryDirectory
    }()

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A fresh, empty replica with the given scope (6, 9 or 12 digits).
    func replica(_ scope: String, role: ReplicaInfo.Role = .node, name: String? = nil, skew: Int64 = 0) throws
        -> ReplicaCore
    {
        made += 1
        let path = directory.appendingPathComponent("replica-\(made).sqlite").path
        let scope = try ScopePrefix.parse(scope, field: "scope")
        let name = name ?? "replica \(made)"
        switch role {
        case .node:
            return try Replica.create(
                path: path, name: name, scope: scope, nowMillis: now + skew, keys: keys,
                id: ReplicaID.random(using: &ids))
        case .hub:
            // The county's replica runs the hub's rules in every transaction: opened as the ledger.
            return try HubLedger.create(
                path: path, name: name, scope: scope, nowMillis: now + skew, keys: keys,
                id: ReplicaID.random(using: &ids)
            ).replica
        }
    }

    /// Advances the fake clock.
    func tick(_ millis: Int64 = 1000) {
        now += millis
    }
}

extension ReplicaCore {
    /// Creates one record and returns its id.
    func create(
        _ type: RecordType, _ fields: [String: FieldValue], author: String = "worker", nowMillis: Int64
    ) throws -> RecordID {
        try write(author: author, nowMillis: nowMillis) { changes in
            try changes.create(type, village: MergeLab.villageCode, fields: fields)
        }.result
    }

    /// Sets fields of one record and returns the op it made.
    @discardableResult
    func update(_ id: RecordID, _ fields: [String: FieldValue], author: String = "worker", nowMillis: Int64) throws
        -> Op
    {
        try write(author: author, nowMillis: nowMillis) { changes in
            try changes.update(id, fields: fields)
        }.ops[0]
    }

    /// Integrates everything `source` holds (idempotent).
    @discardableResult
    func pull(from source: ReplicaCore, nowMillis: Int64) throws -> ApplyReport {
        try integrate(source.allOps(), nowMillis: nowMillis)
    }
}

import HearthCore

/// The ops one local command makes, built inside its transaction.
///
/// Each op gets the next dot, a fresh HLC, the record's current version vector as its
/// context and the previous op's hash; it is merged at once, so later ops in the same
/// command see its effect.
public struct ChangeSet {
    /// The transaction's statements, for the reads a command needs (lists of related records),
    /// on either database.
    package let sql: any SQLStatements
    public let info: ReplicaInfo
    public package(set) var author: String
    public let nowMillis: Int64
    private var applier: Applier
    private var counter: UInt64
    private var chainHead: String
    private var clock: HybridClock
    public private(set) var ops: [Op] = []

    package init(
        sql: any SQLStatements, info: ReplicaInfo, author: String, nowMillis: Int64, cache: StateCache?,
        tracksScopeEntries: Bool
    ) throws {
        self.sql = sql
        self.info = info
        self.author = author
        self.nowMillis = nowMillis
        applier = try Applier(sql: sql, nowMillis: nowMillis, cache: cache)
        applier.tracksScopeEntries = tracksScopeEntries
        guard let row = try sql.rows("SELECT counter, chain_head FROM replica", []).first,
            let counter = row[0].integer, let chainHead = row[1].text
        else { throw ReplicaError.database("replica row missing") }
        self.counter = UInt64(counter)
        self.chainHead = chainHead
        clock = try ChangeSet.loadClock(sql)
    }

    package static func loadClock(_ sql: any SQLStatements) throws -> HybridClock {
        guard let row = try sql.rows("SELECT hlc_millis, hlc_logical FROM replica", []).first,
            let millis = row[0].integer, let logical = row[1].integer
        else { throw ReplicaError.database("replica row missing") }
        return HybridClock(last: HLC(millis: millis, logical: UInt32(logical)))
    }

    /// The merged state of a record as this command sees it.
    public mutating func state(of id: RecordID) throws -> RecordState? {
        try applier.state(of: id)
    }

    /// Creates a record; returns its id.
    @discardableResult
    public mutating func create(
        _ type: RecordType, village: DivisionCode, fields: [String: FieldValue], cause: String? = nil
    ) throws -> RecordID {
        let dot = Dot(replica: info.writer, counter: counter + 1)
        let id = RecordID(type: type, creator: dot)
        var all = fields
        all["village"] = .text(village.value)
        try emit(record: id, village: village, fields: all, context: .empty, cause: cause)
        return id
    }

    /// Moves a record to another village: the op is logged under the new village, so the
    /// hub sends the record's history to the village it enters and the move to the one it
    /// leaves.
    public mutating func move(_ id: RecordID, to village: DivisionCode, cause: String? = nil) throws {
        guard let current = try state(of: id) else { throw ReplicaError.unknownRecord(id.value) }
        guard info.scope.contains(village) else {
            throw ReplicaError.outsideScope(record: id.value, village: village.value, scope: info.scope.value)
        }
        try emit(
            record: id, village: village, fields: ["village": .text(village.value)], context: current.clock,
            cause: cause)
    }

    /// Sets fields of an existing record.
    public mutating func update(_ id: RecordID, fields: [String: FieldValue], cause: String? = nil) throws {
        guard let current = try state(of: id) else { throw ReplicaError.unknownRecord(id.value) }
        guard let villageText = current.resolution(of: "village").value.textValue,
            let village = try? DivisionCode.parse(villageText, field: "village")
        else { throw ReplicaError.database("\(id) has no village") }
        try emit(record: id, village: village, fields: fields, context: current.clock, cause: cause)
    }

    /// Sets fields of an existing record, logging the op under a given village (a re-issued
    /// move keeps the village it moved the record to).
    package mutating func update(
        _ id: RecordID, fields: [String: FieldValue], loggedUnder village: DivisionCode, cause: String?
    )
        throws
    {
        guard let current = try state(of: id) else { throw ReplicaError.unknownRecord(id.value) }
        try emit(record: id, village: village, fields: fields, context: current.clock, cause: cause)
    }

    package mutating func emit(
        record: RecordID, village: DivisionCode, fields: [String: FieldValue], context: VersionVector, cause: String?,
        voids: [Dot] = [], target: ReplicaID? = nil
    ) throws {
        guard info.scope.contains(village) else {
            throw ReplicaError.outsideScope(record: record.value, village: village.value, scope: info.scope.value)
        }
        counter += 1
        let op = Op(
            dot: Dot(replica: info.writer, counter: counter), hlc: clock.tick(wallMillis: nowMillis), author: author,
            origin: info.scope, record: record, scope: village, fields: fields, context: context,
            previous: chainHead, cause: cause, voids: voids)
        chainHead = try applier.integrate(op, target: target)
        ops.append(op)
    }

    package mutating func finish() throws -> Applier {
        try applier.flush()
        try sql.execute(
            "UPDATE replica SET counter = ?, chain_head = ?, hlc_millis = ?, hlc_logical = ?",
            [
                .integer(Int64(counter)), .text(chainHead), .integer(clock.last.millis),
                .integer(Int64(clock.last.logical)),
            ])
        return applier
    }
}

import HearthCore

/// Renders a merged record into its plain table row: one column per field, sensitive
/// fields as `_sealed`/`_hash` pairs, and the derived columns people query by.
package enum StateRow {
    /// Column names of a record type's table, in table order.
    package static func columns(of type: RecordType) -> [String] {
        var columns = ["id"]
        for spec in RecordSchema.fields(of: type) {
            if spec.isSensitive {
                columns += ["\(spec.name)_sealed", "\(spec.name)_hash"]
            } else {
                columns.append(spec.name)
            }
        }
        switch type {
        case .member: columns.append("id_pending")
        case .enrollment: columns.append("monthly_amount")
        default: break
        }
        return columns + ["conflicts", "updated_millis"]
    }

    /// Writes a record's row: inserted when new, else updated in place, so the tables'
    /// triggers see the row before and after (``Migrations/ruleCasesSchema``). `INSERT OR
    /// REPLACE` would delete the old row without telling them and count it twice.
    ///
    /// `keysUnchanged`: the row's ``keyColumns(of:)`` hold what they held (``keys(_:of:)`` of
    /// the stored state and of the new row are equal), so the update leaves them out of its
    /// `SET`. SQLite rewrites an index's entry whenever a column of it is assigned, even to the
    /// value it held: a phone changed on a household rewrote its village's and its head's
    /// index entries too. With varied keys (a plain table with a household's four indexes,
    /// 80,000 phone changes) leaving them out took a third off the updates; the merge bench's
    /// rows, all of one village and without heads, gain little, their entries lying together.
    package static func upsert(_ type: RecordType, keysUnchanged: Bool = false) -> String {
        keysUnchanged ? keyKeepingUpserts[type]! : upserts[type]!
    }

    /// The upsert of `rows` rows of `type` at once, each of ``values(of:)``, one after another;
    /// no two of them may be one record's (a statement may change a row once).
    package static func upsert(_ type: RecordType, keysUnchanged: Bool, rows: Int) -> String {
        guard rows != 1 else { return upsert(type, keysUnchanged: keysUnchanged) }
        return makeUpsert(type, keeping: keysUnchanged ? keyColumns(of: type) : [], rows: rows)
    }

    /// Built once: the flush asks for one per record it writes.
    private static let upserts: [RecordType: String] = Dictionary(
        uniqueKeysWithValues: RecordType.allCases.map { ($0, makeUpsert($0, keeping: [])) })
    private static let keyKeepingUpserts: [RecordType: String] = Dictionary(
        uniqueKeysWithValues: RecordType.allCases.map { ($0, makeUpsert($0, keeping: keyColumns(of: $0))) })

    private static func makeUpsert(_ type: RecordType, keeping kept: [String], rows: Int = 1) -> String {
        let columns = columns(of: type)
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(type.table) (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ") + " ON CONFLICT (id) DO UPDATE SET "
            + columns.dropFirst().filter { !kept.contains($0) }.map { "\($0) = excluded.\($0)" }
            .joined(separator: ", ")
    }

    /// The columns a record table's indexes are keyed on, besides `id`, which an update never
    /// assigns (``Migrations``; `RowUpdateTests` checks every index of a migrated replica
    /// against this list). The columns only a partial index's condition names (`conflicts`,
    /// `id_pending`, `vital_status`) are assigned always: an entry is written only when its
    /// row meets the condition, which few rows do.
    package static func keyColumns(of type: RecordType) -> [String] {
        switch type {
        case .household: ["village", "head"]
        case .member: ["household", "id_number_hash", "village"]
        case .enrollment: ["member", "household", "village"]
        case .visit: ["household", "village"]
        case .standard, .setting: ["village"]
        case .lead: ["member", "village"]
        case .division: ["code", "village"]
        }
    }

    /// The key columns' values in a row `values(of:)` made, in ``keyColumns(of:)``'s order.
    package static func keys(_ row: [SQLValue], of type: RecordType) -> [SQLValue] {
        keyPositions[type]!.map { row[$0] }
    }

    /// The key columns' values a state's row holds, resolving only the fields they come
    /// from: what the applier remembers of each state it loads, to compare with the row it
    /// writes (``keys(_:of:)``).
    package static func keys(of state: RecordState) -> [SQLValue] {
        keyFields[state.id.type]!.map { spec in
            guard let register = state.registers[spec.name] else { return .null }
            let value = Resolution.resolve(register, policy: spec.policy).value
            guard spec.isSensitive else { return sqlValue(value) }
            // A sensitive field's key is its `_hash` column.
            if case .sealed(let sealed) = value { return .text(sealed.digest) }
            return .null
        }
    }

    /// Each key column's position in ``columns(of:)``.
    private static let keyPositions: [RecordType: [Int]] = Dictionary(
        uniqueKeysWithValues: RecordType.allCases.map { type in
            let columns = columns(of: type)
            return (type, keyColumns(of: type).map { columns.firstIndex(of: $0)! })
        })

    /// The field each key column comes from, in ``keyColumns(of:)``'s order.
    private static let keyFields: [RecordType: [FieldSpec]] = Dictionary(
        uniqueKeysWithValues: RecordType.allCases.map { type in
            let specs = RecordSchema.fields(of: type)
            return (
                type,
                keyColumns(of: type).map { column in
                    specs.first { $0.isSensitive ? "\($0.name)_hash" == column : $0.name == column }!
                }
            )
        })

    package static func values(of state: RecordState) -> [SQLValue] {
        // Field by field in table order, each register resolved once: this runs for every
        // record a batch changes.
        let specs = RecordSchema.fields(of: state.id.type)
        var row: [SQLValue] = []
        row.reserveCapacity(2 * specs.count + 4)
        row.append(.text(state.id.value))
        var conflicts: [String] = []
        var idNumberIsNull = true
        var amount: FieldValue = .null
        for spec in specs {
            var value = FieldValue.null
            if let register = state.registers[spec.name] {
                let resolution = Resolution.resolve(register, policy: spec.policy)
                value = resolution.value
                if resolution.inConflict { conflicts.append(spec.name) }
            }
            if spec.name == "id_number" { idNumberIsNull = value.isNull }
            if spec.name == "amount" { amount = value }
            if spec.isSensitive {
                if case .sealed(let sealed) = value {
                    row += [.text(sealed.box), .text(sealed.digest)]
                } else {
                    row += [.null, .null]
                }
            } else {
                row.append(sqlValue(value))
            }
        }
        switch state.id.type {
        case .member:
            row.append(.integer(idNumberIsNull ? 1 : 0))
        case .enrollment:
            let schedule = amount.textValue.flatMap(AmountSchedule.init(text:))
            row.append(SQLValue(schedule?.current?.fen))
        default: break
        }
        conflicts.sort()
        row.append(conflicts.isEmpty ? .null : .text(conflicts.joined(separator: ",")))
        row.append(.integer(state.updated.millis))
        return row
    }

    package static func sqlValue(_ value: FieldValue) -> SQLValue {
        switch value {
        case .null: return .null
        case .text(let text): return .text(text)
        case .integer(let number): return .integer(number)
        case .set(let members): return members.isEmpty ? .null : .text(members.joined(separator: ","))
        case .sealed(let sealed): return .text(sealed.box)
        }
    }
}

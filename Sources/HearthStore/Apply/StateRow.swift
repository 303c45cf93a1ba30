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
    package static func upsert(_ type: RecordType) -> String { upserts[type]! }

    /// Built once: the flush asks for one per record it writes.
    private static let upserts: [RecordType: String] = Dictionary(
        uniqueKeysWithValues: RecordType.allCases.map { ($0, makeUpsert($0)) })

    private static func makeUpsert(_ type: RecordType) -> String {
        let columns = columns(of: type)
        return "INSERT INTO \(type.table) (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ") ON CONFLICT (id) DO UPDATE SET "
            + columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    }

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

import GRDB
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

    package static func values(of state: RecordState) -> [DatabaseValue] {
        // Field by field in table order, each register resolved once: this runs for every
        // record a batch changes.
        let specs = RecordSchema.fields(of: state.id.type)
        var row: [DatabaseValue] = []
        row.reserveCapacity(2 * specs.count + 4)
        row.append(state.id.value.databaseValue)
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
                    row += [sealed.box.databaseValue, sealed.digest.databaseValue]
                } else {
                    row += [.null, .null]
                }
            } else {
                row.append(databaseValue(value))
            }
        }
        switch state.id.type {
        case .member:
            row.append(idNumberIsNull ? 1.databaseValue : 0.databaseValue)
        case .enrollment:
            let schedule = amount.textValue.flatMap(AmountSchedule.init(text:))
            row.append(schedule?.current?.fen.databaseValue ?? .null)
        default: break
        }
        conflicts.sort()
        row.append(conflicts.isEmpty ? .null : conflicts.joined(separator: ",").databaseValue)
        row.append(state.updated.millis.databaseValue)
        return row
    }

    package static func databaseValue(_ value: FieldValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .text(let text): return text.databaseValue
        case .integer(let number): return number.databaseValue
        case .set(let members): return members.isEmpty ? .null : members.joined(separator: ",").databaseValue
        case .sealed(let sealed): return sealed.box.databaseValue
        }
    }
}

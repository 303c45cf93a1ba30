import HearthCore
import HearthStore
import HearthText

/// One name to register: a checked code and name, and the file line it came from (0 when typed).
public struct DivisionRow: Sendable, Equatable {
    public let line: Int
    public let code: String
    public let name: String

    public init(line: Int, code: String, name: String) {
        self.line = line
        self.code = code
        self.name = name
    }
}

/// What registering one name did.
public struct DivisionOutcome: Sendable, Equatable {
    public enum Change: String, Sendable {
        /// The code had no name; it has one now.
        case added
        /// The code's name changed.
        case renamed
        /// The code already had this name: nothing was written.
        case unchanged
    }

    public let row: DivisionRow
    public let id: RecordID
    public let change: Change
}

/// The names of the county's townships and villages are county configuration, like standards
/// and settings: replicated records under the county-wide code, set here on the hub only (a
/// node's op on them is refused for jurisdiction, R14) and read by every replica.
extension HubLedger {
    /// Sets a township's or village's name (`hearth hub division set`); setting a code again
    /// renames it. The result says what was done, with the record's id.
    public func setDivision(code: String, name: String, note: String?, author: String, nowMillis: Int64)
        async throws(ReplicaError) -> DivisionOutcome
    {
        let row: DivisionRow
        do {
            row = DivisionRow(
                line: 0, code: try DivisionNames.parseCode(code, county: info.scope.value),
                name: try DivisionNames.parseName(name))
        } catch { throw .invalid(error) }
        return try await setDivisions([row], note: note, author: author, nowMillis: nowMillis)[0]
    }

    /// The rows of a spreadsheet with a code and a name column (`code`/`区划代码`,
    /// `name`/`名称`), checked: each bad row is a problem naming its line, and a code given twice
    /// is one too. Nothing is written here.
    public func planDivisions(_ table: SpreadsheetTable) -> (rows: [DivisionRow], problems: [ImportProblem]) {
        let codeColumn = table.column(named: ["code", "区划代码", "代码", "division_code"])
        let nameColumn = table.column(named: ["name", "名称", "区划名称"])
        guard let codeColumn, let nameColumn else {
            return (
                [],
                [
                    ImportProblem(
                        line: 1, field: codeColumn == nil ? "code" : "name",
                        LocalizedText("division.header"))
                ]
            )
        }
        var rows: [DivisionRow] = []
        var problems: [ImportProblem] = []
        var seen: [String: Int] = [:]
        for row in table.rows {
            let code: String
            do {
                code = try DivisionNames.parseCode(row[codeColumn], county: info.scope.value, field: codeColumn)
            } catch {
                problems.append(ImportProblem(line: row.line, field: codeColumn, error))
                continue
            }
            let name: String
            do { name = try DivisionNames.parseName(row[nameColumn], field: nameColumn) } catch {
                problems.append(ImportProblem(line: row.line, field: nameColumn, error))
                continue
            }
            if let first = seen[code] {
                problems.append(
                    ImportProblem(
                        line: row.line, field: codeColumn,
                        LocalizedText("division.named_twice", ["code": code, "line": "\(first)"])))
                continue
            }
            seen[code] = row.line
            rows.append(DivisionRow(line: row.line, code: code, name: name))
        }
        return (rows, problems)
    }

    /// Registers checked names in one transaction (all or none), each as ``setDivision``.
    public func setDivisions(_ rows: [DivisionRow], note: String?, author: String, nowMillis: Int64)
        async throws(ReplicaError) -> [DivisionOutcome]
    {
        guard info.scope.level == .county else {
            throw .refused(Catalogue.text("division.on_hub"))
        }
        guard let county = DivisionCode.countyWide(info.scope.value) else {
            throw .database(Catalogue.text("hub.no_county_code", ["scope": info.scope.value]))
        }
        var noteChecked: String?
        if let note {
            do { noteChecked = try Checks.text(note, field: "note", maxLength: 500) } catch { throw .invalid(error) }
        }
        let checkedNote = noteChecked
        return try await storage.edit(author: author, nowMillis: nowMillis) { edit in
            var outcomes: [DivisionOutcome] = []
            for row in rows {
                var fields: [String: FieldValue] = ["name": .text(row.name)]
                if let checkedNote { fields["note"] = .text(checkedNote) }
                let cause = "division \(row.code): \(row.name)"
                if let existing = try edit.division(code: row.code) {
                    let current = try edit.state(of: existing)?.resolution(of: "name").value.textValue
                    guard current != row.name else {
                        outcomes.append(DivisionOutcome(row: row, id: existing, change: .unchanged))
                        continue
                    }
                    try edit.update(existing, fields: fields, cause: cause)
                    outcomes.append(DivisionOutcome(row: row, id: existing, change: .renamed))
                    continue
                }
                fields["code"] = .text(row.code)
                let id = try edit.create(.division, village: county, fields: fields, cause: cause)
                outcomes.append(DivisionOutcome(row: row, id: id, change: .added))
            }
            return outcomes
        }.result
    }
}

import HearthCore

/// What one of a field's competing values would pay one enrollment, month by month.
///
/// Why: an administrator settling a conflict on an amount, a status or a date of death is
/// choosing money. The desk shows, beside each competing value, what the enrollments it decides
/// would be owed from which month, computed by the same ``Entitlement`` as the roll.
public struct PaymentEffect: Sendable, Equatable {
    /// A run of months owed the same: from `from` on (until the next segment), `amount` a month;
    /// nil while the month would be withheld (a suspension, a death without a date).
    public struct Segment: Sendable, Equatable {
        public let from: Month
        public let amount: Money?

        public init(from: Month, amount: Money?) {
            self.from = from
            self.amount = amount
        }
    }

    public let enrollment: RecordID
    public let program: Program?
    /// For each value, in the order asked, its segments over the months asked.
    public let segments: [[Segment]]

    /// The months' outcomes folded into runs of equal amounts.
    static func segments(_ owed: [(Month, Money?)]) -> [Segment] {
        var runs: [Segment] = []
        for (month, amount) in owed where runs.last.map({ $0.amount != amount }) ?? true {
            runs.append(Segment(from: month, amount: amount))
        }
        return runs
    }
}

extension ReplicaReading {
    /// What each of `values` for `field` of `record` would pay, over `months`, to every
    /// enrollment the field decides: the enrollment itself for its own fields, each of a
    /// member's enrollments for the member's (vital status, date of death, birth date, grade).
    /// Empty for a field that decides no money. Reads those enrollments by index: the cost is
    /// theirs, never the county's.
    package func paymentEffects(of record: RecordID, field: String, values: [FieldValue], months: [Month])
        throws(ReplicaError) -> [PaymentEffect]
    {
        guard ReplicaCore.factFields.contains("\(record.type.rawValue).\(field)"), !months.isEmpty else { return [] }
        let condition: String
        switch record.type {
        case .enrollment: condition = "e.id = ?"
        case .member: condition = "e.member = ?"
        default: return []
        }
        let standards = try standardTable()
        return try withStatements { sql in
            let rules = try ReplicaCore.countyRules(sql)
            var reader = BookRows.FactsReader()
            var effects: [PaymentEffect] = []
            for row in try sql.rows(BookRows.sql + " WHERE \(condition) ORDER BY e.id", [.text(record.value)]) {
                guard let enrollment = row[BookRows.Column.enrollment].text.flatMap(RecordID.init) else { continue }
                let base = reader.facts(row)
                let segments = values.map { value in
                    let facts = ReplicaCore.facts(base, setting: field, of: record.type, to: value)
                    return PaymentEffect.segments(
                        months.map { month in
                            (month, Entitlement.outcome(facts, in: month, standards: standards, rules: rules).due)
                        })
                }
                effects.append(PaymentEffect(enrollment: enrollment, program: base.program, segments: segments))
            }
            return effects
        }
    }
}

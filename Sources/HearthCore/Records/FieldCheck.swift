/// Checks that a value has the shape its field declares: what a replica verifies before it
/// applies an op from anywhere, so a malformed or hostile op cannot enter the tables.
extension FieldKind {
    /// The most members a set holds.
    public static let maxSetMembers = 64
    /// The longest member of a set, in UTF-8 bytes (64 characters of Chinese).
    public static let maxSetMemberBytes = 192

    /// Nil when the value fits, else the reason it does not (never quoting sensitive values).
    public func problem(with value: FieldValue) -> String? {
        if value == .null { return nil }
        switch (self, value) {
        case (.text(let maxLength), .text(let text)):
            return text.count <= maxLength ? nil : "longer than \(maxLength) characters"
        case (.code(let codes), .text(let text)):
            return codes.contains(text) ? nil : "must be one of \(codes.joined(separator: ", "))"
        case (.integer(let range), .integer(let number)):
            return range.contains(number) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)"
        case (.money, .integer(let fen)):
            return fen >= 0 ? nil : "must not be negative"
        case (.date, .text(let text)):
            return (try? CivilDate.parse(text, field: "")) != nil && text.count == 10 ? nil : "must be YYYY-MM-DD"
        case (.month, .text(let text)):
            return (try? Month.parse(text, field: "")) != nil && text.count == 7 ? nil : "must be YYYY-MM"
        case (.division, .text(let text)):
            return (try? DivisionCode.parse(text, field: "")) != nil ? nil : "must be a 12-digit division code"
        case (.reference(let type), .text(let text)):
            return RecordID(text)?.type == type ? nil : "must be a \(type.rawValue) id"
        case (.sealed, .sealed(let sealed)):
            return Hex.isSHA256(sealed.digest) && !sealed.box.isEmpty && sealed.box.utf8.count <= 256
                ? nil : "is not a sealed value"
        case (.set, .set(let members)):
            return members.count <= FieldKind.maxSetMembers
                && members.allSatisfy({
                    !$0.isEmpty && $0.utf8.count <= FieldKind.maxSetMemberBytes && !$0.contains(",")
                })
                && FieldValue.makeSet(members) == value
                ? nil : "must be at most 64 short tags without commas, sorted and unique"
        case (.schedule, .text(let text)):
            return AmountSchedule(text: text) != nil
                ? nil : "must be an amount schedule YYYY-MM:fen, YYYY-MM:std or YYYY-MM:std-fen, joined by ;"
        default:
            return "has the wrong type for a \(name) field"
        }
    }
}

extension Op {
    /// Every reason this op's fields do not fit the record schema, as "field: reason".
    public var schemaProblems: [String] {
        var problems: [String] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let spec = RecordSchema.field(name, of: record.type) else {
                problems.append("\(name): not a field of a \(record.type.rawValue)")
                continue
            }
            if let problem = spec.kind.problem(with: value) { problems.append("\(name): \(problem)") }
        }
        return problems
    }
}

/// The bounds the CLI holds a typed value to, beyond its shape: what the hub requires of every
/// op a node pushes (``Admission``), so a node that bypasses the CLI gains nothing.
///
/// Kept apart from ``FieldKind/problem(with:)`` on purpose: a replica checks shapes on every op
/// it applies, including history a hub accepted before these bounds existed; were the bounds a
/// shape, such history would stop every replica that pulls it. New ops meet them at the hub.
extension FieldKind {
    /// Nil when the value is within bounds, else the reason (never quoting the value).
    public func boundProblem(with value: FieldValue) -> String? {
        switch (self, value) {
        case (.text, .text(let text)):
            return DisplaySafety.isUnsafe(text) ? "must not contain control or bidirectional-override characters" : nil
        case (.money, .integer(let fen)):
            return fen <= Money.parseLimit.fen ? nil : "must be at most 100,000,000 yuan"
        case (.schedule, .text(let text)):
            guard let schedule = AmountSchedule(text: text) else { return nil }
            return schedule.largest <= Money.parseLimit
                ? nil : "each amount must be at most 100,000,000 yuan a month"
        default:
            return nil
        }
    }
}

extension Op {
    /// Every field of this op outside the bounds the CLI holds typed values to, as "field: reason".
    public var boundProblems: [String] {
        fields.sorted(by: { $0.key < $1.key }).compactMap { name, value in
            guard let spec = RecordSchema.field(name, of: record.type),
                let problem = spec.kind.boundProblem(with: value)
            else { return nil }
            return "\(name): \(problem)"
        }
    }
}

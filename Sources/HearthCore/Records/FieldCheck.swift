import HearthText

/// Checks that a value has the shape its field declares: what a replica verifies before it
/// applies an op from anywhere, so a malformed or hostile op cannot enter the tables.
///
/// Each reason is a catalogue message (``problemMessage(with:)``): the hub's verdicts and the
/// logs keep its English (``problem(with:)``), a person is shown it in their own language.
extension FieldKind {
    /// The most members a set holds.
    public static let maxSetMembers = 64
    /// The longest member of a set, in UTF-8 bytes (64 characters of Chinese).
    public static let maxSetMemberBytes = 192

    /// Nil when the value fits, else the reason it does not, in English (never quoting
    /// sensitive values).
    public func problem(with value: FieldValue) -> String? {
        problemMessage(with: value)?.text(in: .en)
    }

    /// Nil when the value fits, else the reason it does not (never quoting sensitive values).
    public func problemMessage(with value: FieldValue) -> LocalizedText? {
        if value == .null { return nil }
        switch (self, value) {
        case (.text(let maxLength), .text(let text)):
            // A character is at least one byte: a text no longer in bytes is not counted (counting
            // characters walks grapheme breaks, and every text field of every op comes here).
            return text.utf8.count <= maxLength || text.count <= maxLength
                ? nil : LocalizedText("check.too_long", ["max": "\(maxLength)"])
        case (.code(let codes), .text(let text)):
            return codes.contains(text)
                ? nil : LocalizedText("check.one_of", ["codes": codes.joined(separator: ", ")])
        case (.integer(let range), .integer(let number)):
            return range.contains(number)
                ? nil : LocalizedText("check.between", ["low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
        case (.money, .integer(let fen)):
            return fen >= 0 ? nil : LocalizedText("check.negative")
        case (.date, .text(let text)):
            return (try? CivilDate.parse(text, field: "")) != nil && text.count == 10
                ? nil : LocalizedText("check.date")
        case (.month, .text(let text)):
            return (try? Month.parse(text, field: "")) != nil && text.count == 7 ? nil : LocalizedText("check.month")
        case (.division, .text(let text)):
            return (try? DivisionCode.parse(text, field: "")) != nil ? nil : LocalizedText("check.division")
        case (.reference(let type), .text(let text)):
            return RecordID(text)?.type == type ? nil : LocalizedText("check.reference", ["type": type.rawValue])
        case (.sealed, .sealed(let sealed)):
            return Hex.isSHA256(sealed.digest) && !sealed.box.isEmpty && sealed.box.utf8.count <= 256
                ? nil : LocalizedText("check.sealed")
        case (.set, .set(let members)):
            return members.count <= FieldKind.maxSetMembers
                && members.allSatisfy({
                    !$0.isEmpty && $0.utf8.count <= FieldKind.maxSetMemberBytes && !$0.contains(",")
                })
                && FieldValue.makeSet(members) == value
                ? nil : LocalizedText("check.set")
        case (.schedule, .text(let text)):
            return AmountSchedule(text: text) != nil ? nil : LocalizedText("check.schedule")
        default:
            return LocalizedText("check.wrong_type", ["kind": name])
        }
    }
}

extension Op {
    /// Every reason this op's fields do not fit the record schema, as "field: reason", in English.
    public var schemaProblems: [String] { schemaProblems(in: .en) }

    /// Every reason this op's fields do not fit the record schema, as "field: reason" in `language`.
    public func schemaProblems(in language: Language) -> [String] {
        // Nearly every op fits: its fields are checked as they lie first, and sorted (so that the
        // reasons read in a fixed order) only when one does not. Every replica checks every op it
        // applies, and the hub every op twice (admission, then the applier).
        let fits = !fields.contains { name, value in
            RecordSchema.field(name, of: record.type).map { $0.kind.problemMessage(with: value) != nil } ?? true
        }
        if fits { return [] }
        var problems: [String] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            guard let spec = RecordSchema.field(name, of: record.type) else {
                problems.append(
                    Catalogue.text("check.not_a_field", ["field": name, "type": record.type.rawValue], in: language))
                continue
            }
            if let problem = spec.kind.problemMessage(with: value) {
                problems.append(Self.fieldProblem(name, problem.text(in: language), in: language))
            }
        }
        return problems
    }

    /// "field: reason" as `language` writes it.
    static func fieldProblem(_ field: String, _ reason: String, in language: Language) -> String {
        language == .zh ? "\(field)：\(reason)" : "\(field): \(reason)"
    }
}

/// The bounds the CLI holds a typed value to, beyond its shape: what the hub requires of every
/// op a node pushes (``Admission``), so a node that bypasses the CLI gains nothing.
///
/// Kept apart from ``FieldKind/problem(with:)`` on purpose: a replica checks shapes on every op
/// it applies, including history a hub accepted before these bounds existed; were the bounds a
/// shape, such history would stop every replica that pulls it. New ops meet them at the hub.
extension FieldKind {
    /// Nil when the value is within bounds, else the reason in English (never quoting the value).
    public func boundProblem(with value: FieldValue) -> String? {
        boundProblemMessage(with: value)?.text(in: .en)
    }

    /// Nil when the value is within bounds, else the reason (never quoting the value).
    public func boundProblemMessage(with value: FieldValue) -> LocalizedText? {
        switch (self, value) {
        case (.text, .text(let text)):
            return DisplaySafety.isUnsafe(text) ? LocalizedText("check.unsafe_text") : nil
        case (.money, .integer(let fen)):
            return fen <= Money.parseLimit.fen ? nil : LocalizedText("check.money_limit")
        case (.schedule, .text(let text)):
            guard let schedule = AmountSchedule(text: text) else { return nil }
            return schedule.largest <= Money.parseLimit ? nil : LocalizedText("check.schedule_limit")
        default:
            return nil
        }
    }
}

extension Op {
    /// Whether every field is one of the record's and fits both its shape and its bounds: what
    /// ``schemaProblems`` and ``boundProblems`` both find empty, in one pass that looks each
    /// field up once. The hub asks it of every op pushed; the reasons are written only for an
    /// op that does not fit.
    public var fitsSchemaAndBounds: Bool {
        !fields.contains { name, value in
            guard let spec = RecordSchema.field(name, of: record.type) else { return true }
            return spec.kind.problemMessage(with: value) != nil || spec.kind.boundProblemMessage(with: value) != nil
        }
    }

    /// Every field of this op outside the bounds the CLI holds typed values to, as "field: reason",
    /// in English.
    public var boundProblems: [String] { boundProblems(in: .en) }

    /// Every field of this op outside the bounds, as "field: reason" in `language`.
    public func boundProblems(in language: Language) -> [String] {
        let within = !fields.contains { name, value in
            RecordSchema.field(name, of: record.type).map { $0.kind.boundProblemMessage(with: value) != nil } ?? false
        }
        if within { return [] }
        return fields.sorted(by: { $0.key < $1.key }).compactMap { name, value in
            guard let spec = RecordSchema.field(name, of: record.type),
                let problem = spec.kind.boundProblemMessage(with: value)
            else { return nil }
            return Self.fieldProblem(name, problem.text(in: language), in: language)
        }
    }
}

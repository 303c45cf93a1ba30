import Foundation
import HearthCore
import HearthStore

/// What a command was given where it takes a record: a record id, a resident ID number, or a
/// person's name.
///
/// Why: a clerk knows people by name and ID number, not by `M-8054396b229a-747`. Every command
/// that takes a record resolves what it was given here, the same way: an id is taken as it is;
/// an ID number (matched by its keyed hash, never printed) means the member who has it; a name
/// means the member of that name when there is exactly one on this replica. A command that
/// takes a household takes the member's household; one that takes an enrollment or a lead takes
/// the member's only one the command can act on. When the text means several records, the
/// command lists them and changes nothing (``ReferenceError/ambiguous(_:candidates:)``, exit 65).
struct RecordReference {
    /// What the command takes.
    enum Target {
        /// Any record: a person is a member.
        case any
        case household
        case member
        /// An enrollment whose status is one of these (nil: any); `action` names what is done,
        /// for the message when none is.
        case enrollment(statuses: Set<String>?, action: String)
        /// A lead whose status is one of these (nil: any).
        case lead(statuses: Set<String>?, action: String)
    }

    /// The most candidates listed when a name means several people.
    static let listed = 20

    let text: String

    init(_ text: String) { self.text = text }

    /// The record id `text` means on `replica`, as a string for the replica's commands.
    func resolve(_ target: Target, in replica: ReplicaCore) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if RecordID(trimmed) != nil { return trimmed }
        let person = try member(in: replica, target: target)
        switch target {
        case .any, .member:
            return person.id.value
        case .household:
            guard let household = person.household else {
                throw ReferenceError.noneFor(described, what: FieldWords.type(.household))
            }
            return household.value
        case .enrollment(let statuses, let action):
            let choices = try replica.enrollments(ofMember: person.id).filter {
                statuses?.contains($0.status ?? "") ?? true
            }
            return try only(choices, person: person, what: .enrollment, action: action)
        case .lead(let statuses, let action):
            let choices = try replica.leads(aboutMember: person.id).filter {
                statuses?.contains($0.status ?? "") ?? true
            }
            return try only(choices, person: person, what: .lead, action: action)
        }
    }

    /// Resolves each of a comma-separated list (`household split --members`).
    static func resolveList(_ list: String, _ target: Target, in replica: ReplicaCore) throws -> [String] {
        try list.split(separator: ",").map { try RecordReference(String($0)).resolve(target, in: replica) }
    }

    /// The one member the text means.
    private func member(in replica: ReplicaCore, target: Target) throws -> SearchHit {
        if let number = try ReplicaCore.idNumber(in: text, nowMillis: nowMillis()) {
            let holders = try replica.members(withIDNumber: number)
            // A person registered twice (R5) is one person: a living record is the one meant.
            let living = holders.filter { $0.status != "deceased" }
            if living.count == 1 { return living[0] }
            if holders.count == 1 { return holders[0] }
            if holders.isEmpty { throw ReferenceError.noIDNumber }
            throw ReferenceError.ambiguous(
                L("ref.id_duplicate"), candidates: holders.map(Self.line))
        }
        guard SearchText.normalized(text).count >= 2 else { throw ReferenceError.unknown(described) }
        let (hits, more) = try replica.members(named: text, limit: Self.listed)
        guard let first = hits.first else { throw ReferenceError.unknown(described) }
        if hits.count == 1 { return first }
        // Two people of one name in one household are one household.
        if case .household = target, !more, Set(hits.map(\.household)).count == 1 { return first }
        throw ReferenceError.ambiguous(
            L(
                "ref.many_named",
                ["count": more ? L("ref.more_than", ["count": hits.count]) : "\(hits.count)", "name": described]),
            candidates: hits.map(Self.line) + (more ? ["…"] : []))
    }

    private func only(_ choices: [PersonRecord], person: SearchHit, what type: RecordType, action: String) throws
        -> String
    {
        if choices.count == 1 { return choices[0].id.value }
        let who = "\(person.name ?? described) (\(person.id))"
        let words: [String: any CustomStringConvertible] = [
            "who": who, "what": FieldWords.type(type), "action": valueName(action, field: "action"),
            "count": choices.count,
        ]
        guard !choices.isEmpty else { throw ReferenceError.message(L("ref.none_can", words)) }
        throw ReferenceError.ambiguous(
            L("ref.many_can", words),
            candidates: choices.map {
                "\($0.id)  \(FieldWords.value($0.kind ?? "", field: type == .enrollment ? "program" : "kind"))  \(FieldWords.value($0.status ?? "", field: "status"))"
            })
    }

    /// The text as a message may quote it: not at all when it holds a long run of digits (a
    /// mistyped ID or card number is still one).
    var described: String {
        var run = 0
        for character in text {
            run = character.isNumber ? run + 1 : 0
            if run >= 6 { return L("find.the_text") }
        }
        return L("ref.quoted", ["text": text])
    }

    /// One candidate's line: id, name, village, household (never the ID number).
    static func line(_ hit: SearchHit) -> String {
        [
            hit.id.value, hit.name ?? "", hit.village ?? "",
            hit.household.map { L("ref.household_of", ["id": $0]) } ?? "",
            FieldWords.value(hit.status ?? "", field: "status"),
        ]
        .filter { !$0.isEmpty }.joined(separator: "  ")
    }
}

/// Why a name or ID number given for a record could not be taken: said so that the clerk
/// knows what to give instead. Nothing was changed.
enum ReferenceError: Error, CustomStringConvertible {
    /// No record id, and no member of that name here.
    case unknown(String)
    /// An ID number no member here has.
    case noIDNumber
    /// The person has no record of the kind the command takes.
    case noneFor(String, what: String)
    /// A finished message (no such record of the kind the command takes).
    case message(String)
    /// The text means several records; each candidate's line.
    case ambiguous(String, candidates: [String])

    var description: String {
        switch self {
        case .unknown(let text):
            return L("ref.unknown", ["text": text])
        case .noIDNumber:
            return L("find.no_id_number")
        case .noneFor(let who, let what):
            return L("ref.none_for", ["who": who, "what": what])
        case .message(let text):
            return text
        case .ambiguous(let summary, _):
            return L("ref.ambiguous", ["summary": summary])
        }
    }

    /// The lines printed on standard error: the message, then each candidate.
    var lines: [String] {
        if case .ambiguous(_, let candidates) = self { return [description] + candidates.map { "  " + $0 } }
        return [description]
    }
}

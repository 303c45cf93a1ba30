/// Why the hub refused a pushed op (or a writer an edit): the rule it breaks and a sentence for
/// the field worker and the desk. The op is quarantined with this reason, never silently
/// applied or dropped.
public struct AdmissionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule of docs/rules.md the op breaks, as its id is stored ("R14"), or `nil` for a malformed op.
    public let rule: String?
    public let message: String

    public init(rule: String?, _ message: String) {
        self.rule = rule
        self.message = message
    }

    /// A refusal under a rule of the rule set.
    public init(_ rule: RuleID, _ message: String) {
        self.init(rule: rule.rawValue, message)
    }

    /// The rule, typed; nil for a malformed op.
    public var ruleID: RuleID? { rule.flatMap(RuleID.init(rawValue:)) }

    public var description: String { message }

    /// Whether a quarantine reason is a jurisdiction refusal (R14): the desk may discard such
    /// an op but never release it, since releasing would let a writer act outside its area.
    public static func isJurisdiction(_ reason: String) -> Bool {
        JurisdictionRule.isJurisdiction(reason)
    }
}

/// The hub's admission of a node's op, judged on the hub's own state and the writer's rank as
/// the hub knows them, never on what the op claims (SECURITY.md, "Jurisdiction"). The rules
/// themselves are the engine's (``RuleEngine/admissionVerdict(of:writer:lookup:)``), checked in
/// the precedence of docs/rules.md; the first that refuses gives the reason.
public enum Admission {
    /// The reason the hub refuses `op` from a replica whose registered scope is `writer`, or
    /// nil when it may apply. Throws only when the lookup fails: a storage error must fail
    /// the request, never let the op skip a check.
    public static func refusal<Lookup: AdmissionLookup>(
        of op: Op, writer: ScopePrefix, lookup: inout Lookup
    ) throws -> AdmissionRefusal? {
        try RuleEngine.admissionVerdict(of: op, writer: writer, lookup: &lookup).refusal
    }

    /// Whether someone with authority approved the enrollment: money on it then needs the same authority.
    public static func isApproved(_ state: RecordState) -> Bool {
        ApprovalAuthorityRule.isApproved(state)
    }
}

/// What a node's op must be before any rule looks at it: no `voids` (only the hub voids ops),
/// no control or bidirectional-override characters in its author or cause, and fields that
/// fit the record schema and the bounds typed values are held to. A malformed op is refused
/// under no rule.
public enum OpForm {
    public static func verdict(of op: Op) -> RuleVerdict {
        guard op.voids.isEmpty else {
            return .refuse(
                AdmissionRefusal(rule: nil, "only the hub voids ops; an op from a node may not carry \"voids\""))
        }
        guard !DisplaySafety.isUnsafe(op.author), !(op.cause.map(DisplaySafety.isUnsafe) ?? false) else {
            return .refuse(
                AdmissionRefusal(rule: nil, "author or cause contains control or bidirectional-override characters"))
        }
        guard op.fitsSchemaAndBounds else {
            let problems = op.schemaProblems + op.boundProblems
            return .refuse(AdmissionRefusal(rule: nil, problems.joined(separator: "; ")))
        }
        return .admit
    }
}

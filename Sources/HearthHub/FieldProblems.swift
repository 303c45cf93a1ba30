import HearthCore

/// The field rules' verdicts on a push's ops, judged before its transaction.
///
/// Why: the field rules (``HubService/fieldProblem(_:)``) read nothing but the op, and the
/// costliest of them opens each sealed ID number; judged inside the transaction, they held the
/// hub's one writer while they did. Judged beforehand, on the thread that checks the push's
/// chain, the transaction only looks the verdict up. An op is found by its dot and hash, so a
/// verdict never passes to another op; an op judged in the transaction that was not in the
/// push (a held op judged again after a restore) is judged there.
package struct FieldProblems: Sendable {
    private var judged: [Dot: (hash: String, problem: String?)] = [:]

    package init(_ ops: [Op], check: (Op) -> String?) {
        judged.reserveCapacity(ops.count)
        for op in ops { judged[op.dot] = (op.hash, check(op)) }
    }

    /// The verdict on `op`: the one judged beforehand, or `check`'s now.
    package func problem(of op: Op, otherwise check: (Op) -> String?) -> String? {
        if let verdict = judged[op.dot], verdict.hash == op.hash { return verdict.problem }
        return check(op)
    }
}

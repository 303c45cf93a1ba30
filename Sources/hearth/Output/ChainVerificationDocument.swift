import HearthLedger

/// `hearth hub verify --json`: what the walk checked and every problem, by author and counter.
struct ChainVerificationDocument: Codable, Sendable, Equatable {
    struct Problem: Codable, Sendable, Equatable {
        /// ``ChainProblem/Kind``'s raw value: `checkpoint-signature`, `checkpoint-mismatch`,
        /// `altered-op`, `broken-link`, `missing-ops`, `head-signature`, `head-mismatch`,
        /// `beyond-head`.
        let kind: String
        let replica: String
        let counter: UInt64
        let through: UInt64
    }

    let intact: Bool
    /// Whether the walk went through the archive from each author's first op.
    let whole: Bool
    let authors: Int
    let opsChecked: Int
    let checkpoints: Int
    let fromCheckpoints: Int
    /// Nodes whose chain top verified against the head they signed with their last push.
    let signedHeads: Int
    /// Authors whose chain top rests on the hub's store alone (the hub's own writers, nodes
    /// that have not pushed since the hub began keeping heads).
    let unsignedTops: Int
    let problems: [Problem]

    enum CodingKeys: String, CodingKey {
        case intact, whole, authors
        case opsChecked = "ops_checked"
        case checkpoints
        case fromCheckpoints = "from_checkpoints"
        case signedHeads = "signed_heads"
        case unsignedTops = "unsigned_tops"
        case problems
    }

    init(_ found: ChainVerification) {
        intact = found.isIntact
        whole = found.whole
        authors = found.authors
        opsChecked = found.opsChecked
        checkpoints = found.checkpoints
        fromCheckpoints = found.fromCheckpoints
        signedHeads = found.signedHeads
        unsignedTops = found.unsignedTops
        problems = found.problems.map {
            Problem(kind: $0.kind.rawValue, replica: $0.replica.value, counter: $0.counter, through: $0.through)
        }
    }
}

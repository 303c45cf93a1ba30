import HearthCore

/// What `hearth hub verify` found walking the authors' hash chains (``HubLedger/verifyChains(whole:)``).
///
/// Why a report and not a yes or no: an auditor who finds a break needs to know whose chain,
/// at which op, and what kind (an op's body that no longer gives its hash, a link to the wrong
/// op, ops missing, a checkpoint the hub did not sign), to know where to look in a backup.
public struct ChainVerification: Sendable, Hashable {
    /// Whether the walk started at each author's first op, through the archive (`--archive`),
    /// rather than at its checkpoint.
    public var whole = false
    /// Authors whose chains were walked.
    public var authors = 0
    /// Ops whose body, hash and link were checked.
    public var opsChecked = 0
    /// Checkpoints whose signature verified with the hub's key.
    public var checkpoints = 0
    /// Authors whose walk started at a checkpoint.
    public var fromCheckpoints = 0
    /// Nodes whose kept chain head (from their last push) verified with the node's own key
    /// and is the top of the chain the hub holds for them.
    public var signedHeads = 0
    /// Authors whose chain top rests on the hub's store alone: the hub's own writers, and
    /// nodes that have not pushed since the hub began keeping heads.
    public var unsignedTops = 0
    /// Everything that did not verify, by author and counter.
    public var problems: [ChainProblem] = []

    public init() {}

    /// Whether every chain verified.
    public var isIntact: Bool { problems.isEmpty }
}

/// One thing in an author's chain that did not verify.
public struct ChainProblem: Sendable, Hashable, CustomStringConvertible {
    /// What is wrong; the raw value is what `--json` prints.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A checkpoint whose signature does not verify with the hub's key.
        case unsignedCheckpoint = "checkpoint-signature"
        /// A checkpoint whose hash is not that of the op the hub holds at its counter.
        case checkpointMismatch = "checkpoint-mismatch"
        /// An op whose stored body does not read, or does not give its stored hash or dot.
        case alteredOp = "altered-op"
        /// An op whose `prev` is not the hash of its author's op before it.
        case brokenLink = "broken-link"
        /// Counters the hub holds no op for, between two it holds, or up to a node's signed head.
        case missingOps = "missing-ops"
        /// A node's kept chain head whose signature does not verify with the node's key.
        case unsignedHead = "head-signature"
        /// A node's signed chain head that is not the hash of the op the hub holds at its counter.
        case headMismatch = "head-mismatch"
        /// Ops of a node above the head it signed: no push of the node's carried them.
        case beyondHead = "beyond-head"
    }

    public let kind: Kind
    public let replica: ReplicaID
    /// The op (or checkpoint) concerned; for missing ops, the first missing counter.
    public let counter: UInt64
    /// For missing ops, the last missing counter; otherwise ``counter``.
    public let through: UInt64

    public init(_ kind: Kind, replica: ReplicaID, counter: UInt64, through: UInt64? = nil) {
        self.kind = kind
        self.replica = replica
        self.counter = counter
        self.through = through ?? counter
    }

    /// One line for a person; it names ops by author and counter only (no field values).
    public var description: String {
        let op = "\(replica.value):\(counter)"
        switch kind {
        case .unsignedCheckpoint: return "checkpoint \(op) is not signed by this hub's key"
        case .checkpointMismatch: return "checkpoint \(op) does not hold the hash of the op the hub archived there"
        case .alteredOp: return "op \(op): its stored body does not give its stored hash"
        case .brokenLink: return "op \(op) does not chain to its author's op before it"
        case .missingOps: return "ops \(op) to \(through) are missing from the log, the archive and the quarantine"
        case .unsignedHead: return "chain head \(op) is not signed by the node's key"
        case .headMismatch:
            return "chain head \(op), as the node signed it, is not the hash of the op the hub holds there"
        case .beyondHead: return "ops \(op) to \(through) lie above the chain head the node signed"
        }
    }
}

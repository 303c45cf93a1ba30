import HearthCore
import HearthStore

/// A one-time enrollment token as a ledger keeps it: the hash of its secret, never the secret.
public struct StoredEnrollment: Sendable, Hashable {
    public let secretHash: String
    /// The name the node will carry once registered.
    public let name: String
    /// The township or village the node will serve.
    public let scope: ScopePrefix
    public let createdMillis: Int64

    public init(secretHash: String, name: String, scope: ScopePrefix, createdMillis: Int64) {
        self.secretHash = secretHash
        self.name = name
        self.scope = scope
        self.createdMillis = createdMillis
    }
}

/// A node asking to register with the secret of an enrollment token (by its hash).
public struct NodeRegistration: Sendable, Hashable {
    public let secretHash: String
    public let replica: ReplicaID
    public let publicKey: String
    public let nowMillis: Int64

    public init(secretHash: String, replica: ReplicaID, publicKey: String, nowMillis: Int64) {
        self.secretHash = secretHash
        self.replica = replica
        self.publicKey = publicKey
        self.nowMillis = nowMillis
    }
}

/// A node's verified batch of its own ops, to append to the log.
public struct PushBatch: Sendable {
    /// The node as the hub knew it when the push was authenticated.
    public let node: NodeRecord
    public let ops: [Op]
    public let nowMillis: Int64
    /// How many of the node's ops may wait at the hub for ops it does not hold (R11).
    public let maxWaiting: Int
    /// Ops the hub made under a retired writer and lost to a restore, handed back by the node
    /// and already proven the hub's by their stamps (``HubLedger/acceptPush(from:ops:returned:stamps:nowMillis:check:)``).
    /// They are integrated before the node's own ops, without the node's admission: the
    /// hub judged them when it made them.
    public let returned: [Op]
    /// The node's signature of its chain head at the batch's last op (already verified), kept
    /// with the head so that `hearth hub verify` can check the top of the node's chain against
    /// the node's key, not only against the hub's store. "" keeps no signature.
    public let headSignature: String

    public init(
        node: NodeRecord, ops: [Op], nowMillis: Int64, maxWaiting: Int, returned: [Op] = [], headSignature: String = ""
    ) {
        self.node = node
        self.ops = ops
        self.nowMillis = nowMillis
        self.maxWaiting = maxWaiting
        self.returned = returned
        self.headSignature = headSignature
    }
}

/// How the ledger judges each op of a push: the rule engine's admission (``Admission``) for the
/// writer's registered scope, then field checks of the ledger's own. Pure: the backend calls it
/// inside the transaction that applies the op, with a lookup over that transaction.
public struct PushAdmission: Sendable {
    /// The writer's scope as the hub registered it, never as the op claims.
    public let writer: ScopePrefix
    /// Checks on the op alone beyond the rules (a sealed ID number, a death in the future).
    public let check: @Sendable (Op) -> String?

    public init(writer: ScopePrefix, check: @escaping @Sendable (Op) -> String?) {
        self.writer = writer
        self.check = check
    }

    /// Why `op` is refused, or nil when it may apply. Throws only when the lookup fails.
    public func refusal<Lookup: AdmissionLookup>(of op: Op, lookup: inout Lookup) throws -> String? {
        try Admission.refusal(of: op, writer: writer, lookup: &lookup)?.message ?? check(op)
    }
}

/// What the hub did with one pushed batch.
public struct PushOutcome: Sendable {
    /// The node's highest counter the hub now holds.
    public let acked: UInt64
    public let report: ApplyReport
    public let quarantined: [(dot: Dot, reason: String)]
    /// Of the batch's returned ops, how many the hub held already; the rest were taken back
    /// (and are counted in ``report`` with the node's own).
    public let returnedHeld: Int
    /// Of the ops the push handed back, how many the ledger refused before storing anything
    /// (a stamp that is not the hub's, or an op the hub did not lose).
    public var returnedRefused = 0

    public init(acked: UInt64, report: ApplyReport, quarantined: [(dot: Dot, reason: String)], returnedHeld: Int = 0) {
        self.acked = acked
        self.report = report
        self.quarantined = quarantined
        self.returnedHeld = returnedHeld
    }
}

/// A read of the hub's log for one node: its scope after `cursor`, without its own ops, plus
/// the ops addressed to it and the history of each record that entered its scope, each op only
/// while its record lies in the node's scope as the hub holds it now (SECURITY.md,
/// "Jurisdiction").
public struct ScopedRead: Sendable, Hashable {
    public let node: ReplicaID
    public let scope: ScopePrefix
    public let cursor: Int64
    /// Most ops in the page (at least 1).
    public let limit: Int
    /// Whether a record entering the node's scope goes as its merge state rather than its
    /// history (protocol version 3, Protocol/sync.md, Pull: scope entries).
    public let entriesAsStates: Bool

    public init(node: ReplicaID, scope: ScopePrefix, cursor: Int64, limit: Int, entriesAsStates: Bool = false) {
        self.node = node
        self.scope = scope
        self.cursor = cursor
        self.limit = max(1, limit)
        self.entriesAsStates = entriesAsStates
    }

    /// Whether a record of `village` belongs on the reading node: in its scope, or county-wide
    /// (the county's configuration, which every node of the county holds).
    public func holds(_ village: DivisionCode) -> Bool {
        scope.holdsRecord(of: village)
    }
}

extension ScopePrefix {
    /// Whether a record of `village` belongs on a node of this scope: in the scope, or
    /// county-wide (the county's configuration, which every node of the county holds).
    public func holdsRecord(of village: DivisionCode) -> Bool {
        contains(village) || village.value == DivisionCode.countyWide(value)?.value
    }
}

/// One page of a scoped read: the ops, the cursor to read on from, and whether more is there.
public struct LogPage: Sendable {
    public let ops: [Op]
    public let cursor: Int64
    public let more: Bool
    /// The ids the hub wrote under before each restore (``RetiredWriter``), read in the same
    /// transaction: the answer tells the node which ops to hand back.
    public let retired: [RetiredWriter]
    /// The records that entered the node's scope within the page, each as the hub's state of
    /// it, read in the same transaction (``ScopedRead/entriesAsStates``); the node installs
    /// them before the page's ops.
    public let entered: [SnapshotRecord]

    public init(ops: [Op], cursor: Int64, more: Bool, retired: [RetiredWriter] = [], entered: [SnapshotRecord] = []) {
        self.ops = ops
        self.cursor = cursor
        self.more = more
        self.retired = retired
        self.entered = entered
    }
}

/// The hub's figures for its metrics.
public struct LedgerGauges: Sendable, Hashable {
    /// Records with a conflict no rule settled.
    public let conflicts: Int
    /// Registered nodes, revoked ones included.
    public let nodes: Int
    /// Ops held in quarantine, waiting for the desk.
    public let quarantined: Int

    public init(conflicts: Int, nodes: Int, quarantined: Int) {
        self.conflicts = conflicts
        self.nodes = nodes
        self.quarantined = quarantined
    }
}

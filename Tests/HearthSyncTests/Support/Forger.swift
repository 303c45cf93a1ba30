import Foundation
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore

/// A registered node that speaks Protocol/ directly: it builds ops by hand, chains and signs
/// them with its real key, and pushes and pulls raw. What a tampered laptop could send.
final class Forger {
    let node: Replica
    let raw: RawClient
    private(set) var counter: UInt64
    private(set) var previous: String
    private var tick: UInt32 = 0

    init(_ node: Replica, url: String, hubKey: String) throws {
        self.node = node
        raw = RawClient(baseURL: url, hubKey: hubKey)
        let state = try node.syncState()
        counter = state.ownCounter
        previous = try node.allOps().last { $0.dot.replica == node.info.id }?.hash ?? ""
    }

    /// An op of the forger's own chain. `creates` makes the record id from the op's dot.
    func op(
        record: RecordID? = nil, creates type: RecordType? = nil, scope: String, fields: [String: FieldValue],
        context: VersionVector = .empty, origin: String? = nil, voids: [Dot] = [], author: String = "w9",
        cause: String? = nil
    ) throws -> Op {
        counter += 1
        tick += 1
        let dot = Dot(replica: node.info.id, counter: counter)
        let id = type.map { RecordID(type: $0, creator: dot) } ?? record!
        let op = Op(
            dot: dot, hlc: HLC(millis: TestCounty.now, logical: tick), author: author,
            origin: try ScopePrefix.parse(origin ?? node.info.scope.value, field: "origin"), record: id,
            scope: try DivisionCode.parse(scope, field: "scope"), fields: fields, context: context, previous: previous,
            cause: cause, voids: voids)
        previous = op.hash
        return op
    }

    /// Pushes and reads the hub's answer, which must be a push response (a 200).
    func pushAnswered(_ ops: [Op]) async throws -> PushResponse {
        let answer = try await push(ops)
        guard answer.status == 200 else { throw TestFailure("push refused: \(answer.status) \(answer.message)") }
        return try PushResponse(json: answer.json)
    }

    func push(_ ops: [Op]) async throws -> RawAnswer {
        try await raw.send(
            try SignedRequest(path: SyncPath.push, document: try node.pushRequest(ops).json, signedBy: node))
    }

    /// Pulls everything the hub will give this node, from the start of the log.
    func pullAll() async throws -> [Op] {
        var cursor: Int64 = 0
        var ops: [Op] = []
        while true {
            let answer = try await raw.send(
                try SignedRequest(
                    path: SyncPath.pull,
                    document: PullRequest(replica: node.info.id, cursor: cursor, maxOps: 5_000).json, signedBy: node))
            guard answer.status == 200 else { throw TestFailure("pull refused: \(answer.status) \(answer.message)") }
            let response = try PullResponse(json: answer.json)
            ops += response.ops
            cursor = response.cursor
            if !response.more { return ops }
        }
    }
}

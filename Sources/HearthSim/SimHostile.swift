import Crypto
import Foundation
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthStore

/// A registered village node that has been tampered with: it builds ops by hand, chains and
/// signs them with its real key, and pushes them to the production endpoint. It edits other
/// villages' records, claims their villages, moves records, records deaths elsewhere, sets
/// absurd amounts (56,000 yuan a month of dibao among them) and control characters, names
/// other villages' people, and guesses record ids; then it pulls, and whatever it receives is
/// checked against the hub's state (``SimInvariants``).
///
/// It serves a village of a township no honest node serves, and draws from a random stream of
/// its own: the honest nodes' run is the same with it as without it, so earlier seeds keep
/// finding what they found.
final class SimHostile {
    static let scopeText = "421281103001"

    let id: ReplicaID
    let key: Curve25519.Signing.PrivateKey
    let scope: ScopePrefix
    var random: SimRandom
    private var counter: UInt64 = 0
    private var previous = ""
    /// Its own household, the one record it may edit.
    private var home: Op?
    private var cursor: Int64 = 0
    /// Every op it pushed and the hub answered for: a hub restored from an older copy has
    /// lost some, and its chain must be sent again from where the hub holds it.
    private var pushed: [Op] = []
    /// Every op its pulls brought, with the village its record had at the hub then.
    private(set) var received: [(op: Op, village: String?)] = []

    init(seed: UInt64, hub: HubLedger, now: Int64) async throws {
        random = SimRandom(seed: seed ^ 0x6B1D_05E5_7A11_0000)
        key = try Curve25519.Signing.PrivateKey(rawRepresentation: random.bytes(32))
        id = ReplicaID.random(using: &random)
        scope = try ScopePrefix.parse(Self.scopeText, field: "scope")
        let secret = try await hub.createEnrollment(name: "hostile-\(Self.scopeText)", scope: scope, nowMillis: now)
        _ = try await hub.register(
            secret: secret, replica: id, publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
            nowMillis: now)
    }

    /// One hostile act against the hub, judged by the production endpoint.
    func act(in sim: Simulation) async {
        do {
            guard let home else {
                let created = try op(
                    creates: .household, scope: Self.scopeText,
                    fields: ["village": .text(Self.scopeText), "address": .text("外村"), "status": .text("active")],
                    now: sim.clock.now)
                if try await push([created], sim: sim) { self.home = created }
                return
            }
            let households = try sim.hub.replica.list(.household).filter { $0 != home.record }
            let members = try sim.hub.replica.list(.member)
            let enrollments = try sim.hub.replica.list(.enrollment)
            let now = sim.clock.now
            let own = VersionVector([id: home.dot.counter])
            var kind = "idle"
            var ops: [Op] = []
            switch random.int(0...9) {
            case 0:
                kind = "takeover"
                guard let target = random.pick(households) else { break }
                ops = [
                    try op(
                        record: target, scope: Self.scopeText,
                        fields: ["village": .text(Self.scopeText), "note": .text("mine")],
                        context: try sim.hub.replica.state(of: target)?.clock ?? .empty, now: now)
                ]
            case 1:
                kind = "foreign death"
                guard let target = random.pick(members) else { break }
                let village = try sim.hub.replica.view(target, reveal: false).value("village") ?? Self.scopeText
                ops = [
                    try op(
                        record: target, scope: village,
                        fields: ["vital_status": .text("deceased"), "death_date": .text("2026-10-01")],
                        context: try sim.hub.replica.state(of: target)?.clock ?? .empty, now: now)
                ]
            case 2:
                kind = "move out of scope"
                guard let village = random.pick(SimTopology.scopes.filter { $0.count == 12 }) else { break }
                ops = [
                    try op(
                        record: home.record, scope: village, fields: ["village": .text(village)], context: own, now: now
                    )
                ]
            case 3:
                kind = "foreign amount"
                guard let target = random.pick(enrollments) else { break }
                let village = try sim.hub.replica.view(target, reveal: false).value("village") ?? Self.scopeText
                ops = [
                    try op(
                        record: target, scope: village, fields: ["amount": .text("2026-01:5600000")],
                        context: try sim.hub.replica.state(of: target)?.clock ?? .empty, now: now)
                ]
            case 4:
                kind = "absurd amount"
                ops = [
                    try op(
                        record: home.record, scope: Self.scopeText, fields: ["income": .integer(Int64.max / 3)],
                        context: own, now: now)
                ]
            case 5:
                kind = "control characters"
                ops = [
                    try op(
                        record: home.record, scope: Self.scopeText,
                        fields: ["address": .text(random.pick(["a\u{202E}b", "x\u{1B}[2J", "line\rforged"])!)],
                        context: own, now: now)
                ]
            case 6:
                kind = "foreign reference"
                guard let target = random.pick(households) else { break }
                ops = [
                    try op(
                        creates: .member, scope: Self.scopeText,
                        fields: [
                            "village": .text(Self.scopeText), "household": .text(target.value), "name": .text("冒名"),
                            "vital_status": .text("alive"),
                        ], now: now)
                ]
            case 7:
                // (An op carrying `voids` never gets this far: the message reader refuses it.)
                kind = "foreign enrollment"
                guard let target = random.pick(members) else { break }
                ops = [
                    try op(
                        creates: .enrollment, scope: Self.scopeText,
                        fields: [
                            "village": .text(Self.scopeText), "member": .text(target.value),
                            "program": .text("dibao_rural"), "status": .text("applied"),
                        ], now: now)
                ]
            case 8:
                // In its own village, where it may write: 56,000 yuan a month of dibao, no override (R6).
                kind = "implausible amount"
                ops = [
                    try op(
                        creates: .enrollment, scope: Self.scopeText,
                        fields: [
                            "village": .text(Self.scopeText), "household": .text(home.record.value),
                            "program": .text("dibao_rural"), "status": .text("applied"),
                            "amount": .text("2026-01:5600000"), "start_month": .text("2026-01"),
                        ], now: now)
                ]
            default:
                kind = "enumerate"
                let guess = RecordID(
                    type: .household, creator: Dot(replica: sim.hub.info.id, counter: UInt64(random.int(1...500))))
                ops = [
                    try op(
                        record: guess, scope: Self.scopeText, fields: ["note": .text("?")],
                        context: VersionVector([guess.creator.replica: guess.creator.counter]), now: now)
                ]
            }
            guard !ops.isEmpty else { return }
            let applied = try await push(ops, sim: sim)
            sim.count("hostile ops sent")
            sim.note("hostile \(kind) \(applied ? "APPLIED" : "refused")")
            if applied { sim.fail("the hub applied a hostile op (\(kind)): \(ops.map(\.dot))") }
        } catch {
            sim.fail("the hostile node's act failed: \(error)")
        }
    }

    /// Pulls what the hub gives it, noting each op's record village at the hub.
    func pull(in sim: Simulation) async {
        do {
            var more = true
            while more {
                guard let node = try await sim.hub.node(id) else { return }
                let answer: PullResponse
                do {
                    answer = try await sim.service.answer(
                        pull: PullRequest(replica: id, cursor: cursor, maxOps: 500), for: node)
                } catch let error as HubError where error.code == "snapshot_required" {
                    // Compaction archived what it had not pulled: it takes the snapshot, which
                    // must hold nothing of a record outside its scope either.
                    try await takeSnapshot(node, sim: sim)
                    continue
                }
                for op in answer.ops {
                    received.append((op, try sim.hub.replica.view(op.record, reveal: false).value("village")))
                }
                cursor = answer.cursor
                more = answer.more
            }
        } catch {
            sim.fail("the hostile node's pull failed: \(error)")
        }
    }

    /// The snapshot of its scope, page by page; every state in it must be of its own scope
    /// (a departed record's aside, which tells it to let the record go). Pulls go on from the
    /// first page's position.
    private func takeSnapshot(_ node: NodeRecord, sim: Simulation) async throws {
        var after: SnapshotCursor?
        var position: Int64?
        repeat {
            let page = try await sim.hub.snapshot(for: node, after: after, maxRecords: 50)
            position = position ?? page.position
            for record in page.records {
                let village = try sim.hub.replica.view(record.id, reveal: false).value("village") ?? ""
                guard let code = try? DivisionCode.parse(village, field: "village"), scope.holdsRecord(of: code)
                else {
                    sim.fail("the hostile node's snapshot held \(record.id) of village \(village), outside its scope")
                    continue
                }
            }
            after = page.next
        } while after != nil
        sim.count("hostile snapshots")
        cursor = max(cursor, position ?? cursor)
    }

    /// Pushes a batch through the production endpoint; true when every op applied.
    /// What a restored hub lost of its chain goes first, judged again; only the new ops count.
    private func push(_ ops: [Op], sim: Simulation) async throws -> Bool {
        guard let node = try await sim.hub.node(id), let last = ops.last else { return false }
        let lost = pushed.filter { $0.dot.counter > node.ackedCounter }
        let signature = try key.signature(
            for: Data(Signer.chainMessage(replica: id, counter: last.dot.counter, head: last.hash))
        ).base64EncodedString()
        let request = PushRequest(
            replica: id, ops: lost + ops,
            chain: ChainHead(counter: last.dot.counter, hash: last.hash, signature: signature))
        let response = try await sim.service.accept(request, from: node)
        pushed += ops
        let fresh = Set(ops.map(\.dot))
        let refused = response.quarantined.filter { fresh.contains($0.dot) }.count
        sim.count("hostile ops refused", refused)
        return refused == 0
    }

    private func op(
        record: RecordID? = nil, creates type: RecordType? = nil, scope: String, fields: [String: FieldValue],
        context: VersionVector = .empty, voids: [Dot] = [], now: Int64
    ) throws -> Op {
        counter += 1
        let dot = Dot(replica: id, counter: counter)
        let made = Op(
            dot: dot, hlc: HLC(millis: now, logical: 0), author: "intruder", origin: self.scope,
            record: type.map { RecordID(type: $0, creator: dot) } ?? record!,
            scope: try DivisionCode.parse(scope, field: "scope"), fields: fields, context: context, previous: previous,
            voids: voids)
        previous = made.hash
        return made
    }
}

import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Logging

/// A deterministic simulation of a county: a hub and several node replicas in one process,
/// on real SQLite files, running the production merge, storage and hub code over a network
/// the simulation controls (FoundationDB-style). Each node's requests are built, and the hub's
/// answers taken, by the sync client's own ``SyncSession``; the hub answers through its
/// production endpoint (``HubService/answer(_:)``: signature, time window, nonce, revoked,
/// forked, then the push or pull, and the answer signed). One task, one injected clock, one
/// seeded random source: a seed replays exactly, and its trace hash says so (what is random
/// in production, a signature or a registration's nonce, never reaches the trace).
///
/// While faults are on, the network drops, duplicates, reorders and truncates messages and
/// partitions nodes; replicas crash part-way through applying a batch and restart from their
/// files; node clocks are skewed up to ±24 h; a node's database is copied to a second
/// machine. Then the faults stop, everyone syncs until quiet, and ``SimInvariants`` checks
/// what must hold.
public final class Simulation {
    let options: SimOptions
    let directory: String
    var random: SimRandom
    let clock: SimClock
    let countyKey: SymmetricKey
    let logger: Logger
    var hub: HubLedger
    var service: HubService
    /// A tampered node of its own (see ``SimHostile``).
    var hostile: SimHostile!
    /// The county locks its rolls month by month, on a stream of its own so the rest of a
    /// seed's run stays as it was.
    var rolls: SimRandom
    /// The hub compacts its log now and then (docs/compaction.md), on a stream of its own.
    var compactions: SimRandom
    /// So do the nodes (`hearth node compact`, which every `hearth node sync` runs), on
    /// another.
    var nodeCompactions: SimRandom
    /// The county bringing back a household some node let go once archived (docs/compaction.md,
    /// "Archived households on a node"), drawn on a stream of its own.
    var reopenings: SimRandom
    /// The next month the desk locks: from July, while the field work still changes earlier
    /// months (amounts from July, exits in October, deaths in September and October).
    var nextRoll = Month(year: 2026, month: 7)!
    var nodes: [SimNode] = []
    var inFlight: [SimMessage] = []
    var faultsOn: Bool
    var trace = SHA256()
    var counters: [String: Int] = [:]
    var failures: [String] = []
    /// Every op some node was told the hub holds, with the hash it had: nothing here may be lost.
    var acknowledged: [Dot: String] = [:]
    /// ID numbers already handed out, reused now and then to make duplicate persons (R5).
    var idNumbers: [String] = []
    /// Whether the desk has settled what was open once the network healed.
    var deskSettled = false
    /// The operator's copies of the hub's file (`hearth hub backup`), put back later
    /// (`hearth hub restore`), drawn on a stream of their own.
    var restores: SimRandom
    /// The copy waiting to be put back, with the re-identifications and copied databases
    /// counted when it was taken, and how old what it holds is (``backUpOrRestoreHub()``).
    var hubBackup: (path: String, reidentifications: Int, clones: Int, millis: Int64)?
    /// How old what the copy the hub was last put back from holds is.
    var restoredBackupMillis: Int64?

    /// 2026-11-01 00:00 China time.
    static let start: Int64 = 1_793_462_400_000
    static let hour: Int64 = 3_600_000

    /// Runs one simulation in a fresh directory under `parent`, removed afterwards unless it failed.
    public static func run(_ options: SimOptions, parent: String = FileManager.default.temporaryDirectory.path) async
        -> SimResult
    {
        let directory = parent + "/hearth-sim-\(options.seed)-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let simulation = try await Simulation(options: options, directory: directory)
            let result = await simulation.execute()
            if result.passed { try? FileManager.default.removeItem(atPath: directory) }
            return result
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            return SimResult(options: options, traceHash: "", counters: [:], failures: ["setup failed: \(error)"])
        }
    }

    init(options: SimOptions, directory: String) async throws {
        self.options = options
        self.directory = directory
        random = SimRandom(seed: options.seed)
        rolls = SimRandom(seed: options.seed ^ 0x2011_5EED_0000_0000)
        restores = SimRandom(seed: options.seed ^ 0x0BAC_CAFE_0000_0000)
        compactions = SimRandom(seed: options.seed ^ 0x0C0_FFAC_7000_0000)
        nodeCompactions = SimRandom(seed: options.seed ^ 0x0C0_FFAC_7000_0001)
        reopenings = SimRandom(seed: options.seed ^ 0x0A2C_41FE_0000_0000)
        clock = SimClock(start: Self.start)
        faultsOn = options.faults
        var logger = Logger(label: "hearth.sim")
        logger.logLevel = .critical
        self.logger = logger
        countyKey = SymmetricKey(data: random.bytes(32))
        let hubKeys = KeyMaterial(
            dataKey: countyKey, signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: random.bytes(32)))
        hub = try HubLedger.create(
            path: directory + "/hub.db", name: "sim hub",
            scope: try ScopePrefix.parse(SimTopology.county, field: "scope"), nowMillis: Self.start, keys: hubKeys,
            id: ReplicaID.random(using: &random))
        let clock = self.clock
        service = HubService(ledger: hub, logger: logger, clock: { clock.now })
        for index in 0..<options.replicas {
            let scope = try ScopePrefix.parse(SimTopology.scopes[index], field: "scope")
            // A third of the nodes run on a skewed clock, up to a day either way (R15).
            let skew: Int64 = random.chance(33) ? Int64(random.int(-24 * 60...24 * 60)) * 60_000 : 0
            let name = "node\(index)-\(scope.value)"
            let secret = try await hub.createEnrollment(name: name, scope: scope, nowMillis: clock.now)
            let keys = KeyMaterial(
                dataKey: countyKey, signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: random.bytes(32)))
            let replica = try Replica.create(
                path: directory + "/\(name).db", name: name, scope: scope, nowMillis: clock.now + skew,
                keys: keys,
                id: ReplicaID.random(using: &random))
            try replica.setHub(replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: nil)
            let node = try SimNode(
                index: index, name: name, scope: scope, path: replica.path, replica: replica, skew: skew)
            try await register(node, secret: secret, name: name)
            nodes.append(node)
            if skew != 0 { count("nodes with a skewed clock") }
        }
        hostile = try await SimHostile(seed: options.seed, hub: hub, now: clock.now)
    }

    func execute() async -> SimResult {
        for step in 0..<options.steps {
            clock.advance(by: Int64(random.int(0...90)) * 1_000)
            if random.chance(2) { clock.advance(by: Int64(random.int(1...12)) * Self.hour) }
            note("step \(step)")
            await self.step()
        }
        await settle()
        await hostile.pull(in: self)
        let invariants = SimInvariants(simulation: self)
        await failures += invariants.check()
        for node in nodes { note("final \(node.name) \((try? node.replica.stateDigest()) ?? "?")") }
        note("final hub \((try? hub.replica.stateDigest()) ?? "?")")
        let hash = Hex.encode(trace.finalize())
        return SimResult(options: options, traceHash: hash, counters: counters, failures: failures)
    }

    /// One step of the faulty period: field work, the desk, a sync message, or a fault.
    func step() async {
        let roll = random.int(0...99)
        switch roll {
        case 0..<36: if let node = random.pick(nodes) { FieldWork.act(on: node, in: self) }
        case 36..<41: await FieldWork.desk(self)
        case 41..<60: if let node = random.pick(nodes) { await startExchange(node) }
        case 60..<90: await deliverNext()
        case 90..<93 where faultsOn: crashSomeone()
        case 93..<96 where faultsOn:
            if let node = random.pick(nodes) {
                node.partitioned.toggle()
                count(node.partitioned ? "partitions" : "partitions healed")
                note("partition \(node.name) \(node.partitioned)")
            }
        case 96 where faultsOn && options.replicas > 1 && !nodes.contains(where: { $0.cloneOf != nil }): cloneSomeone()
        case 97 where nodes.count < options.replicas + 3: await joinNewNode()
        default: await deliverNext()
        }
        // The tampered node acts on a random stream of its own (the honest run stays as it was).
        if hostile.random.chance(4) { await hostile.act(in: self) }
        if hostile.random.chance(3) { await hostile.pull(in: self) }
        if rolls.chance(1.5) { await lockNextRoll() }
        if faultsOn, options.restores, restores.chance(1.5) { await backUpOrRestoreHub() }
        if compactions.chance(3) { await compactHub() }
        if nodeCompactions.chance(25) { compactNode() }
        if reopenings.chance(3) { await reopenLetGo() }
    }

    /// `hearth hub compact` with a retention of a few hours of the simulation's time: what
    /// every active node holds leaves the log, and a node silent longer (partitioned, or never
    /// asked) is told `snapshot_required` at its next pull.
    func compactHub() async {
        let hours = Int64(compactions.int(1...8))
        let plan = CompactionPlan(
            retentionMillis: hours * Self.hour, nowMillis: clock.now, limit: compactions.int(1...300))
        do {
            let report = try await hub.compact(plan)
            count("compactions")
            count("ops archived", report.archived)
            note("compact \(hours) h: archived \(report.archived), \(report.activeNodes) nodes active")
        } catch {
            fail("the hub could not compact: \(error)")
        }
    }

    /// A node's `hearth node compact` with a retention of minutes to hours of the simulation's
    /// time: what the hub holds leaves the node's log into its records' floors, households
    /// archived before the retention leave the node, and the invariants then check the node
    /// still holds what the hub holds (a record let go, the clock the hub has). Never shorter than the
    /// age of a hub backup that may yet be put back, or of the one the hub was last put back
    /// from: a restored hub is handed back only what nodes still hold (docs/compaction.md, On a
    /// node), and a node may take a late answer of the hub as it was before (the network here
    /// delays and repeats answers) for one of the hub as it is. By the simulation's time, not
    /// the node's skewed clock: a clock a day off would undo a retention of hours, not one of
    /// months.
    func compactNode() {
        guard let node = nodeCompactions.pick(nodes) else { return }
        var retention = Int64(nodeCompactions.int(5...120)) * 60_000
        for taken in [hubBackup?.millis, restoredBackupMillis].compactMap({ $0 }) {
            retention = max(retention, clock.now - taken + Self.hour)
        }
        do {
            let report = try node.replica.compactLog(
                retentionMillis: retention, nowMillis: clock.now, limit: nodeCompactions.int(1...300))
            count("node compactions")
            count("ops that left node logs", report.removed)
            count("records let go with archived households", report.purged)
            note("compact \(node.name) \(retention / 60_000) min: removed \(report.removed), kept \(report.kept)")
        } catch {
            fail("\(node.name) could not compact its log: \(error)")
        }
    }

    /// The county brings back an archived household that a node let go (its status set active
    /// at the hub): that node's next pull finds the change and takes the scope's snapshot, and
    /// the invariants check it holds the household again as the hub does.
    func reopenLetGo() async {
        var candidates: Set<RecordID> = []
        for node in nodes {
            for id in ((try? node.replica.purgedClocks()) ?? [:]).keys where id.type == .household {
                candidates.insert(id)
            }
        }
        guard let household = reopenings.pick(candidates.sorted()) else { return }
        do {
            _ = try await hub.storage.edit(author: "county", nowMillis: clock.now) { edit in
                try edit.update(household, fields: ["status": .text("active")], cause: "恢复")
            }
            count("households let go that the county brought back")
            note("the county brought \(household) back")
        } catch {
            fail("the hub could not bring \(household) back: \(error)")
        }
    }

    /// The fault: the hub's file replaced by an older copy. The operator backs the hub up
    /// while it serves, and later restores that copy: the hub is then behind its nodes, which
    /// hold ops it acknowledged and ops it made itself since (Protocol/sync.md, A restored
    /// hub). The invariants then check nothing acknowledged was lost and everyone converged.
    ///
    /// A copy older than a re-identification (or a late node's joining) is not put back: it
    /// does not know the node registered since (that node would need a new token), and the ops of the identity it
    /// left behind can no longer be sent again by anyone. Nor is one while a copied database
    /// is about: the restored hub has forgotten which of two ops under one dot it took first,
    /// and takes whichever comes first again (the other is found a fork and re-issued under a
    /// new id, so nothing is lost, but an acknowledgement is taken back).
    func backUpOrRestoreHub() async {
        // A node that joined late registered with the hub as a re-identified one does.
        let reidentified = counters["re-identifications", default: 0] + counters["nodes joined late", default: 0]
        let cloned = counters["databases copied", default: 0]
        guard let backup = hubBackup else {
            let path = directory + "/hub-backup-\(counters["hub backups", default: 0]).db"
            do {
                _ = try hub.backup(to: path, worker: "admin", nowMillis: clock.now)
                // A copy of a hub that was itself put back holds no more of the nodes' ops
                // than the copy it was put back from, until they hand back what it lacks: as old
                // as that one, for the nodes' compaction (seeds 920 and 923: a node let go of an
                // op acknowledged before the first copy, and the second restore lacked it).
                hubBackup = (path, reidentified, cloned, min(clock.now, restoredBackupMillis ?? clock.now))
                count("hub backups")
                note("hub backup")
            } catch {
                fail("the hub could not be backed up: \(error)")
            }
            return
        }
        hubBackup = nil
        guard backup.reidentifications == reidentified, cloned == 0 else {
            count("hub backups not restored")
            return
        }
        do {
            try hub.replica.pool.close()
            _ = try HubLedger.restore(from: backup.path, to: hub.path, worker: "admin", nowMillis: clock.now)
        } catch {
            fail("the hub could not be restored from its backup: \(error)")
        }
        restartHub()
        restoredBackupMillis = backup.millis
        // Rolls locked after the copy was taken went with the rest: the desk locks them again.
        let locked = (try? await hub.storage.lockedMonths()) ?? []
        nextRoll = locked.last?.adding(months: 1) ?? Month(year: 2026, month: 7)!
        count("hub restores")
        note("hub restored")
    }

    /// The desk locks the next month's roll as paid, up to the current month: later changes to
    /// it become back pay and recovery, which the invariants check.
    func lockNextRoll() async {
        let now = clock.now
        guard nextRoll <= DomainCalendar.date(atMillis: now).month else { return }
        do {
            let roll = try hub.replica.payroll(for: nextRoll, nowMillis: now, settling: true)
            try await hub.lock(roll, worker: "admin", nowMillis: now)
            count("rolls locked")
            count("adjustment lines", roll.rows.filter { $0.kind != .regular }.count)
            note("locked \(nextRoll)")
            nextRoll = nextRoll.adding(months: 1)
        } catch {
            count("roll locks refused")
            note("roll lock refused")
        }
    }

    // MARK: The network

    /// A node starts one exchange: a push of some of its unacknowledged ops, or a pull.
    func startExchange(_ node: SimNode) async {
        if node.needsReidentify {
            await reidentify(node)
            return
        }
        if takesSnapshot(node) {
            snapshotStep(node)
            return
        }
        let batch = random.int(1...40)
        let hasOps = Self.hasSomethingToPush(node)
        sendRequest(node, push: hasOps && random.chance(60), batch: batch, traced: true)
    }

    /// Sends one request as `hearth node sync` builds it (the node's ``SyncSession``): a push
    /// of up to `batch` of the node's unacknowledged ops with its signed chain head (when
    /// `push` and there are any), otherwise a pull from its cursor; signed with the node's key,
    /// a fresh nonce, its own clock and the offset to the hub's clock it last measured.
    func sendRequest(_ node: SimNode, push: Bool, batch: Int, traced: Bool) {
        let replica = node.replica.info.id
        do {
            let time = clock.now + node.skew
            let nonce = Hex.encode((0..<16).map { _ in UInt8(random.int(0...255)) })
            let message: SimMessage
            if push, let built = try node.session.pushRequest(limit: batch, nonce: nonce, timeMillis: time) {
                if traced {
                    if let first = built.ops.first, let last = built.ops.last {
                        note("\(node.name) pushes \(first.dot)...\(last.dot.counter)")
                    }
                    if !built.returned.isEmpty { note("\(node.name) hands back \(built.returned.count)") }
                }
                message = SimMessage(
                    kind: .push, node: node.index, replica: replica, request: built.request, returned: built.returned)
            } else {
                let request = try node.session.pullRequest(maxOps: batch, nonce: nonce, timeMillis: time)
                message = SimMessage(kind: .pull, node: node.index, replica: replica, request: request)
            }
            send(message)
        } catch {
            fail("\(node.name) could not build a sync request: \(error)")
        }
    }

    /// Whether the node's next exchange is for the hub's snapshot: one is being received (pages
    /// kept), or the node starts from one and has pulled nothing yet.
    func takesSnapshot(_ node: SimNode) -> Bool {
        guard let state = try? node.replica.syncState() else { return false }
        if (try? node.replica.snapshotProgress()) != nil { return true }
        if node.wantsSnapshot { return true }
        return node.startsFromSnapshot && state.pullCursor == 0
    }

    /// The node's next step in taking the snapshot, as `hearth node sync` takes it: installs it
    /// when every page is kept, else asks for the page after the last one kept (the first when
    /// none is).
    func snapshotStep(_ node: SimNode) {
        let progress = try? node.replica.snapshotProgress()
        if let progress, progress.next == nil {
            installSnapshot(node, records: progress.records)
            return
        }
        let replica = node.replica.info.id
        do {
            let time = clock.now + node.skew
            let nonce = Hex.encode((0..<16).map { _ in UInt8(random.int(0...255)) })
            let after = progress?.next
            let request = try node.session.snapshotRequest(
                after: after, maxRecords: random.int(1...40), nonce: nonce, timeMillis: time)
            send(SimMessage(kind: .snapshot, node: node.index, replica: replica, request: request, after: after))
        } catch {
            fail("\(node.name) could not build a snapshot request: \(error)")
        }
    }

    /// Installs the pages kept, whole; the fault: the node dies part-way through the install,
    /// which then leaves it as it was, with the pages kept for the next try.
    func installSnapshot(_ node: SimNode, records: Int) {
        var armed = false
        if faultsOn, random.chance(30) {
            node.replica.crashSwitch.arm(afterOps: random.int(0...max(0, records - 1)))
            armed = true
        }
        do {
            let report = try node.replica.installSnapshot(nowMillis: clock.now + node.skew)
            node.replica.crashSwitch.disarm()
            node.startsFromSnapshot = false
            node.needsSnapshot = false
            count("snapshots installed")
            count("records installed from snapshots", report.installed)
            note("\(node.name) installed a snapshot of \(report.installed)")
        } catch {
            if armed, !node.replica.crashSwitch.isArmed {
                count("node crashes mid-install")
                note("\(node.name) crashed mid-install")
                restart(node)
                if (try? node.replica.snapshotProgress()) == nil {
                    fail("\(node.name) lost the snapshot's pages in a crash during their install")
                }
                return
            }
            node.replica.crashSwitch.disarm()
            fail("\(node.name) could not install a snapshot it kept whole: \(error)")
        }
    }

    /// Puts a message on the wire, where faults may drop, duplicate or truncate it.
    func send(_ message: SimMessage) {
        count(message.kind.rawValue)
        if faultsOn {
            if nodes[message.node].partitioned {
                count("messages lost to a partition")
                note("lost \(message.kind.rawValue) \(message.node)")
                return
            }
            if random.chance(7) {
                count("messages dropped")
                note("drop \(message.kind.rawValue) \(message.node)")
                return
            }
            var message = message
            if random.chance(4), message.bytes.count > 1 {
                // Cut at a fraction of its length, not at a byte drawn from it: a signature is
                // random (Ed25519 as swift-crypto signs), so the compressed length may differ by
                // a byte between runs of one seed, and the draws must not.
                let kept = message.bytes.count * random.int(0...999) / 1_000
                message.bytes = Array(message.bytes.prefix(kept))
                count("messages truncated")
            }
            inFlight.append(message)
            if random.chance(5) {
                inFlight.append(message)
                count("messages duplicated")
            }
        } else {
            inFlight.append(message)
        }
    }

    /// Delivers one message in flight: usually the oldest, sometimes another (reordering).
    func deliverNext() async {
        guard !inFlight.isEmpty else { return }
        var index = 0
        if faultsOn, inFlight.count > 1, random.chance(30) {
            index = random.int(1...inFlight.count - 1)
            count("messages reordered")
        }
        await deliver(inFlight.remove(at: index))
    }

    func deliver(_ message: SimMessage) async {
        let node = nodes[message.node]
        if faultsOn, node.partitioned {
            count("messages lost to a partition")
            return
        }
        // Not the size: a compressed body's length varies with its random signatures.
        note("deliver \(message.kind.rawValue) \(message.node) status \(message.status)")
        if message.kind.toHub {
            if let reply = await hubHandle(message) { send(reply) }
        } else {
            nodeHandle(message)
        }
    }

    // MARK: The hub's side

    /// What the hub's HTTP endpoint does with a request, through the production code
    /// (``HubService/answer(_:)``): signed headers read, the node authenticated (registered,
    /// signature, time window, nonce, not revoked, not forked), the body decoded and applied or
    /// answered, the answer signed. Nil when the hub crashed before answering.
    func hubHandle(_ message: SimMessage) async -> SimMessage? {
        guard message.kind.toHub else {
            fail("the hub was sent a \(message.kind.rawValue)")
            return nil
        }
        var armed = false
        // The fault: the hub dies part-way through applying a push. (The ops are counted here
        // only to choose where; the endpoint reads the body itself.)
        if message.kind == .push, faultsOn, random.chance(5), let count = Self.opCount(message.request) {
            try? hub.replica.crashSwitch.arm(afterOps: random.int(0...max(0, count - 1)))
            armed = true
        }
        let (answer, failure) = await service.answerNotingFailure(message.request)
        if armed, (try? hub.replica.crashSwitch.isArmed) == false {
            // The hub died in the middle of applying the push: nothing of it was committed.
            count("hub crashes mid-apply")
            note("hub crashed mid-apply")
            restartHub()
            return nil
        }
        try? hub.replica.crashSwitch.disarm()
        if answer.status != 200 {
            let code = (try? JSON.parse(answer.body)).flatMap { ErrorBody(json: $0) }?.code ?? ""
            note("hub refused \(message.kind.rawValue) \(message.node): \(answer.status) \(code)")
            // The production authentication at work: a duplicated message is a replayed nonce,
            // a truncated one fails its signature, a far clock misses the window.
            if answer.status == 401 { count("requests refused by authentication") }
            if code == "time_window" { count("requests refused for the node's clock") }
            if answer.status == 500 {
                fail("the hub failed on a \(message.kind.rawValue) (a 500): \(failure.map { "\($0)" } ?? "no cause")")
            }
        }
        return SimMessage(
            kind: message.kind.reply, node: message.node, replica: message.replica,
            request: message.request, answer: answer, returned: message.returned, after: message.after)
    }

    /// How many ops a push request carries, read from its body as sent; nil if it does not read.
    static func opCount(_ request: WireRequest) -> Int? {
        guard let inflated = try? Gzip.decompress(request.body), let json = try? JSON.parse(inflated) else {
            return nil
        }
        // Counted, not read: the ops leave out what only the hub's key derives.
        return json["ops"]?.arrayValue?.count
    }

    func restartHub() {
        do {
            hub = try HubLedger.open(path: hub.path)
            let clock = self.clock
            service = HubService(ledger: hub, logger: logger, clock: { clock.now })
        } catch {
            fail("the hub did not restart from its file: \(error)")
        }
    }

    // MARK: The node's side

    /// What `hearth node sync` does with an answer: the node's ``SyncSession`` opens it (the
    /// hub's signature for this request, the hub's clock) and takes it (the hub holds this
    /// database's own history; the acknowledgement kept, or the pulled batch applied).
    func nodeHandle(_ message: SimMessage) {
        let node = nodes[message.node]
        guard message.replica == node.replica.info.id else {
            note("\(node.name) ignored an answer for its former identity")
            return
        }
        guard let answer = message.answer, !message.kind.toHub else {
            fail("a node was sent a \(message.kind.rawValue)")
            return
        }
        let now = clock.now + node.skew
        let json: JSON
        do {
            json = try node.session.open(answer, to: message.request, receivedMillis: now)
        } catch SyncError.refused(_, let code, _) {
            if code == "fork" || code == "forked" {
                if !node.needsReidentify { count("forks detected") }
                node.needsReidentify = true
            }
            if code == "snapshot_required" {
                if !node.needsSnapshot { count("pulls told to start from a snapshot") }
                note("\(node.name) must start from a snapshot")
                node.needsSnapshot = true
            }
            return
        } catch {
            count("answers a node could not use")
            note("\(node.name) could not use an answer")
            return
        }
        var armed = false
        do {
            switch message.kind {
            case .pushReply:
                let response = try SyncSession.decode(json, as: PushResponse.init(json:))
                let state = try node.replica.syncState()
                // What the hub now says it holds, seen before the node records it: the
                // invariants check that none of it is ever lost.
                let covered =
                    response.acked > state.ackedCounter
                    ? try node.replica.unpushedOps(
                        limit: Int(min(response.acked, state.ownCounter) - state.ackedCounter))
                    : []
                do { try node.session.accept(response, returned: message.returned, nowMillis: now) } catch
                    where Self.showsCopy(error)
                {
                    note("\(node.name) learns it is a copy: \(response.acked) held, it has \(state.ownCounter)")
                    count("copies found by the node")
                    node.needsReidentify = true
                    return
                }
                if let returned = response.returned {
                    count("hub ops handed back", returned.taken)
                    if returned.refused > 0 { fail("the hub refused \(returned.refused) of its own ops handed back") }
                }
                for op in covered where op.dot.counter <= response.acked {
                    if let known = acknowledged[op.dot], known != op.hash {
                        fail("the hub acknowledged two different ops under \(op.dot)")
                    }
                    acknowledged[op.dot] = op.hash
                }
                note("\(node.name) acked \(response.acked) (was \(state.ackedCounter), own \(state.ownCounter))")
            case .pullReply:
                let response = try node.session.pullResponse(json)
                let wanted = (try? node.replica.snapshotWanted()) == true
                // Records that entered the node's scope come as the hub's states (version 3).
                if !response.entered.isEmpty { count("records that entered a scope as states", response.entered.count) }
                if faultsOn, random.chance(6) {
                    node.replica.crashSwitch.arm(afterOps: random.int(0...max(0, response.ops.count - 1)))
                    armed = true
                }
                do { try node.session.accept(response, nowMillis: now) } catch  where Self.showsCopy(error) {
                    node.replica.crashSwitch.disarm()
                    note("\(node.name) learns it is a copy on pull")
                    count("copies found by the node")
                    node.needsReidentify = true
                    return
                }
                node.replica.crashSwitch.disarm()
                if !wanted, (try? node.replica.snapshotWanted()) == true {
                    count("pulls that brought back records let go")
                    note("\(node.name) takes the snapshot: a record it let go changed")
                }
            case .snapshotReply:
                // Kept only if it follows the last page kept (a duplicated or late page does
                // not, unless it is a first page, which starts the snapshot afresh).
                let response = try node.session.snapshotResponse(json)
                try node.session.accept(response, after: message.after, nowMillis: now)
                count("snapshot pages kept")
                if response.next == nil {
                    installSnapshot(node, records: (try? node.replica.snapshotProgress()?.records) ?? 0)
                }
            default:
                fail("a node was sent a \(message.kind.rawValue)")
            }
        } catch {
            if armed, !node.replica.crashSwitch.isArmed {
                count("node crashes mid-apply")
                note("\(node.name) crashed mid-apply")
                restart(node)
                return
            }
            node.replica.crashSwitch.disarm()
            count("answers a node could not use")
            note("\(node.name) could not use an answer")
        }
    }

    /// Whether the sync code found this database is a copy or an old backup of a replica the
    /// hub knows (it must re-identify): the hub holds more of its ops than it has, or others.
    static func showsCopy(_ error: any Error) -> Bool {
        if case SyncError.behindItself = error { return true }
        if case ReplicaError.copied = error { return true }
        return false
    }

    func restart(_ node: SimNode) {
        do { try node.restart() } catch { fail("\(node.name) did not restart from its file: \(error)") }
    }

    /// A replica stops at a random moment (between transactions) and starts again.
    func crashSomeone() {
        if random.chance(30) {
            count("hub restarts")
            note("hub restart")
            restartHub()
        } else if let node = random.pick(nodes) {
            count("node restarts")
            note("restart \(node.name)")
            restart(node)
        }
    }

    /// A laptop's database is copied to a second machine, which goes on working as if it were
    /// the same replica: the hub must notice, and never merge the two as one.
    func cloneSomeone() {
        guard let source = random.pick(nodes.filter { $0.cloneOf == nil }) else { return }
        let path = directory + "/\(source.name)-copy.db"
        do {
            try source.replica.backup(to: path)
            try FileManager.default.copyItem(
                atPath: KeyFile.defaultPath(forDatabase: source.path), toPath: KeyFile.defaultPath(forDatabase: path))
            let copy = try SimNode(
                index: nodes.count, name: source.name + "-copy", scope: source.scope, path: path,
                replica: try Replica.open(path: path), skew: source.skew, cloneOf: source.index)
            nodes.append(copy)
            count("databases copied")
            note("clone \(source.name)")
        } catch {
            fail("could not copy \(source.name): \(error)")
        }
    }

    /// A new laptop joins the county late, for the scope of a node already there (a second
    /// laptop for a township, a replaced one): `hearth hub enroll`, `hearth node init --token`;
    /// it starts from the hub's snapshot, or replays the scope's history.
    func joinNewNode() async {
        let index = nodes.count
        do {
            let scope = try ScopePrefix.parse(SimTopology.scopes[random.int(0...options.replicas - 1)], field: "scope")
            let name = "node\(index)-\(scope.value)-late"
            let secret = try await hub.createEnrollment(name: name, scope: scope, nowMillis: clock.now)
            let keys = KeyMaterial(
                dataKey: countyKey, signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: random.bytes(32)))
            let replica = try Replica.create(
                path: directory + "/\(name).db", name: name, scope: scope, nowMillis: clock.now, keys: keys,
                id: ReplicaID.random(using: &random))
            try replica.setHub(replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: nil)
            let node = try SimNode(
                index: index, name: name, scope: scope, path: replica.path, replica: replica, skew: 0)
            node.startsFromSnapshot = random.chance(70)
            try await register(node, secret: secret, name: name)
            nodes.append(node)
            count("nodes joined late")
            note("join \(name) snapshot \(node.startsFromSnapshot)")
        } catch {
            fail("a new node could not join: \(error)")
        }
    }

    /// `hearth node reidentify` with a new token from the county (`hearth hub enroll`).
    func reidentify(_ node: SimNode) async {
        do {
            node.identities += 1
            let name = "\(node.name)-id\(node.identities)"
            let secret = try await hub.createEnrollment(name: name, scope: node.scope, nowMillis: clock.now)
            let outcome = try Replica.reidentify(
                path: node.path, nowMillis: clock.now + node.skew, newID: ReplicaID.random(using: &random))
            try node.restart()
            try node.replica.setHub(replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: nil)
            try node.restart()
            try await register(node, secret: secret, name: name)
            node.needsReidentify = false
            // It pulls its scope again from the start: from the snapshot, or by replay.
            node.startsFromSnapshot = random.chance(60)
            count("re-identifications")
            count("ops re-issued under a new id", outcome.reissued)
            note("reidentify \(node.name) reissued \(outcome.reissued)")
        } catch {
            fail("\(node.name) could not re-identify: \(error)")
        }
    }

    /// `hearth node init --token` (and `reidentify`) registering with the hub: the production
    /// sync client, over a link of its own to the hub's endpoint (the faults are on the sync
    /// exchanges), on the node's skewed clock.
    func register(_ node: SimNode, secret: String, name: String) async throws {
        let clock = self.clock
        let skew = node.skew
        let client = try SyncClient(
            replica: node.replica, transport: InProcessTransport(service: service), destination: "the simulated hub",
            clock: { clock.now + skew })
        _ = try await client.register(secret: secret, name: name)
    }

    // MARK: After the faults

    /// The faults stop; every message in flight arrives; everyone syncs, and the county
    /// settles its quarantine, until a whole round changes nothing.
    func settle() async {
        faultsOn = false
        for node in nodes {
            node.partitioned = false
            node.replica.crashSwitch.disarm()
        }
        try? hub.replica.crashSwitch.disarm()
        note("settle")
        while !inFlight.isEmpty { await deliver(inFlight.removeFirst()) }
        var quiet = 0
        for round in 0..<40 {
            let before = await (try? hub.logEnd()) ?? -1
            var changed = false
            for node in nodes { changed = await syncFully(node) || changed }
            changed = await settleQuarantine() || changed
            let after = await (try? hub.logEnd()) ?? -2
            quiet = (!changed && after == before) ? quiet + 1 : 0
            if quiet == 1, !deskSettled {
                // Once quiet, the county settles what is open at its desk; the resolutions must
                // then reach every replica holding the records.
                deskSettled = true
                if await settleDesk() { quiet = 0 }
            }
            if quiet >= 2 {
                count("settling rounds", round + 1)
                await count("conflicts left open", (try? hub.conflicts().count) ?? 0)
                return
            }
        }
        fail("the county did not settle in 40 sync rounds after the faults stopped")
    }

    /// The desk resolves every open conflict (a random choice of value each); true if any.
    func settleDesk() async -> Bool {
        guard let open = try? await hub.conflicts(), !open.isEmpty else { return false }
        for conflict in open {
            let choice: DeskChoice = random.chance(50) ? .pick(random.int(1...conflict.candidates.count)) : .newest
            do {
                try await hub.resolve(conflict.id, choice: choice, note: "核实后决定", author: "admin", nowMillis: clock.now)
                count("conflicts resolved at the desk")
                note("desk resolved \(conflict.id)")
            } catch {
                count("desk actions refused")
                note("desk refused \(conflict.id)")
            }
        }
        return true
    }

    /// Pushes everything and pulls until the hub has nothing more; true when anything moved.
    /// Like `hearth node sync`, it pushes and pulls again (up to three rounds in all) when a
    /// pull brought its acknowledgement down or asked ops back (a restored hub).
    func syncFully(_ node: SimNode) async -> Bool {
        var moved = false
        if node.needsReidentify {
            await reidentify(node)
            moved = true
        }
        for _ in 0..<3 {
            let acked = (try? node.replica.syncState().ackedCounter) ?? 0
            moved = await pushAndPull(node) || moved
            if node.needsReidentify { return true }
            let lowered = ((try? node.replica.syncState().ackedCounter) ?? 0) < acked
            let askedBack = !((try? node.replica.opsToHandBack(limit: 1).ops) ?? []).isEmpty
            if !lowered && !askedBack { break }
        }
        return moved
    }

    /// One push of everything and pulls until the hub has nothing more; true when anything moved.
    func pushAndPull(_ node: SimNode) async -> Bool {
        var moved = false
        for _ in 0..<1_000 {
            guard Self.hasSomethingToPush(node) else { break }
            moved = true
            let before = Self.pushState(node)
            await exchange(node, push: true)
            if node.needsReidentify { return true }
            // Refused (a restored hub's gap): the pull that follows tells the node what it holds.
            if Self.pushState(node) == before { break }
        }
        // As `hearth node sync`: the snapshot after the push, when one is due.
        if await snapshotRounds(node) { moved = true }
        for _ in 0..<1_000 {
            let cursor = (try? node.replica.syncState().pullCursor) ?? 0
            await exchange(node, push: false)
            if node.needsReidentify { return true }
            // Told `snapshot_required`, or a record let go changed: the snapshot, then the pulls
            // go on from its position.
            if node.wantsSnapshot {
                if await snapshotRounds(node) { moved = true }
                if node.needsReidentify { return true }
                continue
            }
            let after = (try? node.replica.syncState().pullCursor) ?? 0
            if after == cursor { break }
            moved = true
        }
        return moved
    }

    /// Takes the snapshot, page by page, until none is due; true when it took any step. (A
    /// `for … where` would ask the replica a thousand times, taking nothing.)
    func snapshotRounds(_ node: SimNode) async -> Bool {
        var steps = 0
        while steps < 1_000, !node.needsReidentify, takesSnapshot(node) {
            steps += 1
            inFlight.removeAll()
            snapshotStep(node)
            while !inFlight.isEmpty { await deliver(inFlight.removeFirst()) }
        }
        return steps > 0
    }

    /// Whether the node has own ops the hub has not acknowledged, or ops a restored hub asked back.
    static func hasSomethingToPush(_ node: SimNode) -> Bool {
        !((try? node.replica.unpushedOps(limit: 1)) ?? []).isEmpty
            || !((try? node.replica.opsToHandBack(limit: 1).ops) ?? []).isEmpty
    }

    /// What a push changes on the node: its acknowledgement and the next op it would hand back.
    static func pushState(_ node: SimNode) -> [String] {
        [
            "\((try? node.replica.syncState().ackedCounter) ?? 0)",
            "\((try? node.replica.opsToHandBack(limit: 1).ops.first?.dot.description) ?? nil ?? "")",
        ]
    }

    /// One request and its answer, delivered at once.
    func exchange(_ node: SimNode, push: Bool) async {
        inFlight.removeAll()
        sendRequest(node, push: push, batch: 100, traced: false)
        while !inFlight.isEmpty { await deliver(inFlight.removeFirst()) }
    }

    /// The county decides every op still held in quarantine (a fork's second op stays kept).
    func settleQuarantine() async -> Bool {
        guard let all = try? await hub.quarantine().filter({ $0.state == "held" && !$0.reason.hasPrefix("fork") })
        else {
            return false
        }
        // The tampered node's refusals are discarded, drawing nothing from the honest run's stream.
        let held = all.filter { $0.dot.replica != hostile.id }
        var moved = false
        for entry in all where entry.dot.replica == hostile.id {
            do {
                _ = try await hub.discardQuarantined(entry.dot, author: "admin", nowMillis: clock.now)
                count("hostile ops discarded")
            } catch {
                fail("the desk could not discard the hostile op \(entry.dot): \(error)")
            }
        }
        for entry in held {
            let discardFirst = random.chance(50)
            for discard in discardFirst ? [true, false] : [false, true] {
                do {
                    if discard {
                        _ = try await hub.discardQuarantined(entry.dot, author: "admin", nowMillis: clock.now)
                        count("quarantined ops discarded")
                    } else {
                        _ = try await hub.releaseQuarantined(entry.dot, author: "admin", nowMillis: clock.now)
                        count("quarantined ops released")
                    }
                    note("quarantine \(entry.dot) \(discard ? "discarded" : "released")")
                    moved = true
                    break
                } catch {
                    continue
                }
            }
        }
        return moved
    }

    // MARK: Bookkeeping

    /// `HEARTH_SIM_TRACE=1` prints the trace as it is hashed, to follow a failing seed.
    static let printsTrace = ProcessInfo.processInfo.environment["HEARTH_SIM_TRACE"] == "1"

    func note(_ text: String) {
        if Self.printsTrace { FileHandle.standardError.write(Data((text + "\n").utf8)) }
        trace.update(data: Array(text.utf8))
        trace.update(data: [0x0A])
    }

    func count(_ name: String, _ amount: Int = 1) { counters[name, default: 0] += amount }

    func fail(_ text: String) {
        failures.append(text)
        note("FAIL \(text)")
    }
}

import HearthCore
import HearthLedger
import HearthStore

/// One case of the merge property, from its seed.
///
/// 1. Generate a history (``OpHistoryGenerator``) and take the union of the authors' logs.
/// 2. Count the concurrent same-field writes per policy.
/// 3. Replay the union into 2 or 3 fresh replicas, each in a random order with duplicates
///    and random batch boundaries.
/// 4. Let every author integrate the union too.
/// 5. Every digest must be equal, and every replica must hold exactly the reference model's
///    states, live values, display values and conflicts.
///
/// Replica ids (and so some last-writer ties) are random per run; everything else follows
/// from the seed.
enum MergeProperty {
    static let policyNames = ["lww", "priority", "authority", "union", "human"]

    static func run(seed: UInt64) -> MergeCaseOutcome {
        var outcome = MergeCaseOutcome()
        outcome.counters.cases = 1
        do {
            try run(seed: seed, into: &outcome)
        } catch {
            outcome.failures.append("seed \(seed): threw \(error)")
        }
        // Keep each case's report short; the first problems say enough.
        if outcome.failures.count > 6 {
            let more = outcome.failures.count - 6
            outcome.failures = Array(outcome.failures.prefix(6)) + ["seed \(seed): … and \(more) more"]
        }
        return outcome
    }

    private static func run(seed: UInt64, into outcome: inout MergeCaseOutcome) throws {
        var rng = SplitMix64(seed: seed)
        let lab = try MergeLab(seed: seed)
        var generatorRNG = rng.split()
        let history = try OpHistoryGenerator.generate(lab: lab, rng: &generatorRNG)
        let ops = history.ops
        outcome.counters.ops = ops.count
        outcome.counters.authorEarlyArrivals = history.syncReport.waiting
        outcome.counters.authorDuplicates = history.syncReport.duplicates
        for dot in history.forks {
            outcome.failures.append("seed \(seed): two authors hold op \(dot) with different bytes")
        }
        count(concurrentWritesIn: ops, into: &outcome.counters)

        var modelRNG = rng.split()
        guard let model = ReferenceModel(ops: ops, using: &modelRNG) else {
            outcome.failures.append("seed \(seed): the union of the logs has an op whose past is missing")
            return
        }
        outcome.counters.records = model.records.count
        outcome.counters.conflictedFields = model.records.reduce(0) { $0 + (model.states[$1]?.conflicts.count ?? 0) }

        var digests: [(label: String, digest: String)] = []
        let replays = Int.random(in: 2...3, using: &rng)
        for replay in 0..<replays {
            let scope = [MergeLab.county, MergeLab.township, MergeLab.village].randomElement(using: &rng)!
            let replica = try lab.replica(scope, role: .node)
            lab.tick()
            var delivery = ops.shuffled(using: &rng)
            // Redeliver some ops at random points, some of them before their first delivery.
            let extra = Int.random(in: 1...max(1, ops.count / 3), using: &rng)
            for _ in 0..<extra {
                delivery.insert(ops.randomElement(using: &rng)!, at: Int.random(in: 0...delivery.count, using: &rng))
            }
            var report = ApplyReport()
            var start = 0
            while start < delivery.count {
                let size = rng.chance(10) ? delivery.count : Int.random(in: 1...8, using: &rng)
                let end = min(delivery.count, start + size)
                report.add(try replica.integrate(Array(delivery[start..<end]), nowMillis: lab.now))
                start = end
            }
            if rng.chance(25) {
                report.add(try replica.integrate(ops.shuffled(using: &rng), nowMillis: lab.now))
            }
            outcome.counters.replays += 1
            outcome.counters.earlyArrivals += report.waiting
            outcome.counters.duplicates += report.duplicates
            outcome.counters.released += report.released
            if report.applied != ops.count {
                outcome.failures.append("seed \(seed): replay \(replay) applied \(report.applied) of \(ops.count) ops")
            }
            if report.released != report.waiting {
                outcome.failures.append(
                    "seed \(seed): replay \(replay) released \(report.released) of \(report.waiting) waiting ops")
            }
            let label = "replay \(replay) (scope \(scope))"
            outcome.failures += try check(replica, against: model, label: label, seed: seed)
            digests.append((label, try replica.stateDigest()))
        }

        for author in history.authors {
            lab.tick()
            try author.replica.integrate(ops.shuffled(using: &rng), nowMillis: lab.now)
            let label = "author \(author.index) (scope \(author.replica.info.scope.value))"
            outcome.failures += try check(author.replica, against: model, label: label, seed: seed)
            digests.append((label, try author.replica.stateDigest()))
        }

        // Digest disagreements first: they are the headline property, and a case's report is capped.
        var digestFailures: [String] = []
        let reference = digests[0]
        for other in digests.dropFirst() where other.digest != reference.digest {
            digestFailures.append(
                "seed \(seed): digest of \(other.label) \(other.digest.prefix(12)) differs from \(reference.label) "
                    + "\(reference.digest.prefix(12))")
        }
        outcome.failures.insert(contentsOf: digestFailures, at: history.forks.count)
    }

    /// Counts pairs of ops that write the same field of the same record with neither
    /// having seen the other, by the field's policy.
    static func count(concurrentWritesIn ops: [Op], into counters: inout MergeCounters) {
        var writers: [RecordID: [String: [Op]]] = [:]
        for op in ops {
            for name in op.fields.keys { writers[op.record, default: [:]][name, default: []].append(op) }
        }
        for (record, fields) in writers {
            for (name, list) in fields where list.count > 1 {
                let policy = (RecordSchema.field(name, of: record.type)?.policy ?? .lww).name
                for i in list.indices {
                    for j in list.indices where j > i {
                        let a = list[i]
                        let b = list[j]
                        if !a.context.covers(b.dot) && !b.context.covers(a.dot) {
                            counters.concurrentWrites[policy, default: 0] += 1
                        }
                    }
                }
            }
        }
    }

    /// Everything that differs between a replica and the reference model, one line each.
    static func check(_ replica: ReplicaCore, against model: ReferenceModel, label: String, seed: UInt64) throws
        -> [String]
    {
        var failures: [String] = []
        func fail(_ text: String) { failures.append("seed \(seed) [\(label)]: \(text)") }

        for type in RecordType.allCases {
            let stored = try replica.list(type)
            let expected = model.records.filter { $0.type == type }
            if stored != expected { fail("\(type.table) holds \(stored) but the model has \(expected)") }
        }
        var conflicted = 0
        for id in model.records {
            let expectedState = model.states[id]!
            guard let state = try replica.state(of: id) else {
                fail("\(id) missing")
                continue
            }
            if state.clock != expectedState.clock {
                fail("\(id) clock \(state.clock) but the model's is \(expectedState.clock)")
            }
            if state != expectedState {
                let names = Set(state.registers.keys).union(expectedState.registers.keys).sorted()
                let differing = names.filter { state.registers[$0] != expectedState.registers[$0] }
                fail("\(id) state differs from the model in \(differing)")
            }
            for name in model.fields(of: id) {
                let expected = model.expected(id, field: name)
                let resolution = state.resolution(of: name)
                let live = (state.registers[name]?.entries ?? []).map(\.dot)
                if live != expected.live { fail("\(id).\(name) live values \(live) but expected \(expected.live)") }
                if resolution.value != expected.value {
                    fail("\(id).\(name) reads \(resolution.value) but its policy gives \(expected.value)")
                }
                if resolution.inConflict != expected.inConflict {
                    fail("\(id).\(name) in conflict: \(resolution.inConflict), expected \(expected.inConflict)")
                }
            }
            let expectedConflicts = model.fields(of: id).filter { model.expected(id, field: $0).inConflict }
            if state.conflicts != expectedConflicts {
                fail("\(id) conflicts \(state.conflicts), expected \(expectedConflicts)")
            }
            if !expectedConflicts.isEmpty {
                conflicted += 1
                let listed = try replica.list(
                    id.type, where: "conflicts", equals: expectedConflicts.joined(separator: ","))
                if !listed.contains(id) { fail("\(id) row does not list conflicts \(expectedConflicts)") }
            }
        }
        let status = try replica.status()
        if status.waiting != 0 { fail("\(status.waiting) ops still waiting") }
        if status.conflicted != conflicted { fail("\(status.conflicted) rows in conflict, model has \(conflicted)") }
        return failures
    }
}

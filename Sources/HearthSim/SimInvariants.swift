import HearthCore
import HearthLedger
import HearthStore

/// What must hold once the faults stop and everyone has synced (issue 6):
/// identical state per scope, nothing acknowledged lost, nothing applied twice, every
/// conflict at the hub's desk, no payable enrollment of a deceased member, every resolution
/// everywhere, no op left waiting, every replica's kept rule cases what the county's
/// state shows, and every author's hash chain at the hub whole, from its checkpoint and from
/// its first op.
struct SimInvariants {
    let simulation: Simulation

    func check() async -> [String] {
        var failures: [String] = []
        do {
            failures += try synced()
            await failures += try nothingLost()
            failures += try nothingTwice()
            failures += try convergence()
            await failures += try conflictsAtTheDesk()
            await failures += try noDeadPaid()
            await failures += try rollsPayWhatIsOwed()
            await failures += try resolutionsEverywhere()
            await failures += try movesWithinAuthority()
            failures += try recordsWithinScope()
            failures += try casesKept()
            await failures += try chainsIntact()
        } catch {
            failures.append("the invariants could not be read: \(error)")
        }
        return failures
    }

    var hub: HubLedger { simulation.hub }
    var nodes: [SimNode] { simulation.nodes }

    /// Every node pushed everything and the hub acknowledged it; no op waits anywhere.
    func synced() throws -> [String] {
        var failures: [String] = []
        for node in nodes {
            let state = try node.replica.syncState()
            if state.ackedCounter != state.ownCounter {
                failures.append(
                    "\(node.name): the hub acknowledged \(state.ackedCounter) of its \(state.ownCounter) ops")
            }
            if node.needsReidentify { failures.append("\(node.name) still needs re-identifying") }
        }
        for (name, replica) in [("hub", try hub.replica)] + nodes.map({ ($0.name, $0.replica) }) {
            let waiting = try replica.waitingOpCount()
            if waiting > 0 { failures.append("\(name): \(waiting) ops still wait for their causal past") }
        }
        return failures
    }

    /// Every op a node was told the hub holds is in the hub's log (or its quarantine) with
    /// the same hash.
    func nothingLost() async throws -> [String] {
        var failures: [String] = []
        let held = try await hub.storage.heldHashes()
        for (dot, hash) in simulation.acknowledged.sorted(by: { $0.key < $1.key }) {
            guard let found = held[dot] else {
                failures.append("op \(dot) was acknowledged to its node but the hub does not hold it")
                continue
            }
            if found != hash { failures.append("op \(dot) was acknowledged with another content than the hub holds") }
        }
        // And every op a node holds is the hub's, byte for byte (or was voided by it).
        for node in nodes {
            for (dot, hash) in try node.replica.loggedHashes() where held[dot] != hash {
                failures.append(
                    "\(node.name) holds op \(dot) that the hub \(held[dot] == nil ? "does not hold" : "holds with other content")"
                )
            }
        }
        return failures
    }

    /// No replica logged one dot twice, and no record's clock counts an op its log lacks.
    func nothingTwice() throws -> [String] {
        var failures: [String] = []
        for (name, replica) in [("hub", try hub.replica)] + nodes.map({ ($0.name, $0.replica) }) {
            var logged: [Dot: Int] = [:]
            for (dot, _) in try replica.loggedHashes() { logged[dot, default: 0] += 1 }
            let duplicates = logged.values.filter { $0 > 1 }.count
            if duplicates > 0 { failures.append("\(name) logged \(duplicates) dots more than once") }
        }
        return failures
    }

    /// Each node holds exactly the hub's records of its scope (and the county's configuration),
    /// with identical merge state.
    func convergence() throws -> [String] {
        var failures: [String] = []
        var counted = 0
        defer { simulation.count("records let go, at the end", counted) }
        for node in nodes {
            let mine = try node.replica.storedStates(in: node.scope)
            let hubs = try hub.replica.storedStates(in: node.scope)
            // Records that left with an archived household: the hub's clock is still theirs
            // (a change since would have brought them back through the scope's snapshot).
            let purgedClocks = try node.replica.purgedClocks()
            let stale = try purgedClocks.filter { id, clock in try hub.replica.state(of: id)?.clock != clock }.keys
                .sorted()
            let purged = Set(purgedClocks.keys.map(\.value))
            if !stale.isEmpty {
                failures.append(
                    "\(node.name) let go of \(stale.count) records that changed at the hub since, e.g. \(stale[0])")
            }
            let held = purged.filter { mine[$0] != nil }.sorted()
            if !held.isEmpty { failures.append("\(node.name) holds \(held.count) records it let go, e.g. \(held[0])") }
            counted += purged.count
            let missing = Set(hubs.keys).subtracting(mine.keys).subtracting(purged).sorted()
            let extra = Set(mine.keys).subtracting(hubs.keys).sorted()
            let differing = mine.keys.filter { hubs[$0] != nil && hubs[$0] != mine[$0] }.sorted()
            if !missing.isEmpty {
                failures.append("\(node.name) lacks \(missing.count) records of its scope, e.g. \(missing[0])")
            }
            if !extra.isEmpty {
                failures.append("\(node.name) holds \(extra.count) records the hub does not, e.g. \(extra[0])")
            }
            if !differing.isEmpty {
                failures.append("\(node.name) differs from the hub on \(differing.count) records, e.g. \(differing[0])")
            }
        }
        return failures
    }

    /// Every field in conflict at the hub is listed at its desk (or is soft), and every node
    /// sees the same conflicts (convergence already compares the registers).
    func conflictsAtTheDesk() async throws -> [String] {
        let listed = await Set(try hub.conflicts().map(\.id))
        var failures: [String] = []
        for field in try hub.replica.conflictedFields() where !listed.contains(field) {
            guard let record = RecordID(String(field.split(separator: "/")[0])) else { continue }
            let name = String(field.split(separator: "/")[1])
            if ConflictRules.rule(for: record.type, field: name).hard {
                failures.append("\(field) is in conflict but not at the desk")
            }
        }
        return failures
    }

    /// The next roll the county pays (the current month's, or the first month after it not
    /// locked yet) pays no deceased member. A locked roll is what was paid: a death the hub
    /// learnt after the lock is recovered by the next roll (``rollsPayWhatIsOwed()``).
    func noDeadPaid() async throws -> [String] {
        let locked = Set(try await hub.storage.lockedMonths())
        var month = DomainCalendar.date(atMillis: simulation.clock.now).month
        while locked.contains(month) { month = month.adding(months: 1) }
        let roll = try hub.replica.payroll(for: month, nowMillis: simulation.clock.now)
        let rules = try hub.replica.countyRules()
        let paid = roll.rows.filter { $0.kind == .regular }
        let members = try await hub.storage.reading { lookup in
            try paid.map { row in try lookup.member(row.member) }
        }
        var failures: [String] = []
        for (row, member) in zip(paid, members) {
            guard let member, member.vitalStatus == "deceased" else { continue }
            if member.deathDate.map({ !rules.pays(month, death: $0) }) ?? true {
                failures.append("the \(month) roll pays \(row.enrollment) of deceased member \(row.member)")
            }
        }
        return failures
    }

    /// What the locked rolls paid for each enrollment and month, plus the next roll's back pay
    /// and recovery, is what the settled state owes; a month still withheld or held gets no
    /// adjustment at all.
    func rollsPayWhatIsOwed() async throws -> [String] {
        let now = simulation.clock.now
        let locked = try await hub.storage.lockedMonths()
        guard let last = locked.last else { return [] }
        let next = try hub.replica.payroll(for: last.adding(months: 1), nowMillis: now)
        var paid: [RecordID: [Month: Int64]] = [:]
        for month in locked {
            for row in try hub.replica.payroll(for: month, nowMillis: now).rows {
                paid[row.enrollment, default: [:]][row.forMonth ?? month, default: 0] += row.amount.fen
            }
        }
        var adjusted: Set<String> = []
        for row in next.rows where row.kind != .regular {
            guard let month = row.forMonth else { continue }
            paid[row.enrollment, default: [:]][month, default: 0] += row.amount.fen
            adjusted.insert("\(row.enrollment)|\(month)")
        }
        var failures: [String] = []
        for (enrollment, months) in try hub.replica.owed(in: locked, nowMillis: now) {
            for (month, owed) in months {
                guard let owed else {
                    if adjusted.contains("\(enrollment)|\(month)") {
                        failures.append("\(enrollment) is withheld or held for \(month), yet the next roll adjusts it")
                    }
                    continue
                }
                let total = paid[enrollment]?[month] ?? 0
                if total != owed.fen {
                    failures.append("\(enrollment) is owed \(owed.fen) fen for \(month); the rolls pay \(total)")
                }
            }
        }
        return failures
    }

    /// Every resolution the desk made has reached every node that holds the record.
    func resolutionsEverywhere() async throws -> [String] {
        var failures: [String] = []
        let resolutions = try await hub.decisions().filter { $0.kind == "resolution" }
        for decision in resolutions {
            guard let dot = Dot(text: decision.op), let record = RecordID(decision.record) else { continue }
            for node in nodes {
                guard let state = try node.replica.state(of: record) else { continue }
                if !state.clock.covers(dot) {
                    failures.append("the resolution \(dot) of \(record) has not reached \(node.name)")
                }
            }
        }
        return failures
    }

    /// No record changed village except by a township or the county, within its scope: read
    /// off the hub's log, record by record in log order.
    func movesWithinAuthority() async throws -> [String] {
        var failures: [String] = []
        let scopes = Dictionary(uniqueKeysWithValues: try await hub.nodes().map { ($0.replica, $0.scope) })
        let ops = try hub.replica.allOps()
        var villages: [RecordID: String] = [:]
        for op in ops {
            guard case .text(let village)? = op.fields["village"] else { continue }
            defer { villages[op.record] = village }
            guard let before = villages[op.record], before != village, op.dot.replica != hub.info.id else { continue }
            guard let scope = scopes[op.dot.replica], scope.level != .village,
                let from = try? DivisionCode.parse(before, field: "village"),
                let to = try? DivisionCode.parse(village, field: "village"), scope.contains(from), scope.contains(to)
            else {
                failures.append(
                    "\(op.record) moved from \(before) to \(village) by \(op.dot), outside its writer's authority")
                continue
            }
        }
        return failures
    }

    /// No replica holds a record outside its scope, and the tampered node received nothing of
    /// a record outside its own (a record's departure, the op that took it away, aside).
    func recordsWithinScope() throws -> [String] {
        var failures: [String] = []
        let countyWide = DivisionCode.countyWide(SimTopology.county)?.value ?? ""
        for node in nodes {
            for type in RecordType.allCases {
                for id in try node.replica.list(type) {
                    guard let village = try hub.replica.view(id, reveal: false).value("village"),
                        let code = try? DivisionCode.parse(village, field: "village")
                    else { continue }
                    if !node.scope.contains(code), village != countyWide {
                        failures.append("\(node.name) holds \(id) of village \(village), outside its scope")
                    }
                }
            }
        }
        let hostile = simulation.hostile!
        for (op, village) in hostile.received {
            let inScope =
                village.flatMap { try? DivisionCode.parse($0, field: "village") }.map(hostile.scope.contains) ?? false
            // Its own records aside: a compensation for a record it created, which the desk refused.
            let own = op.record.creator.replica == hostile.id
            if !inScope, !own, village != countyWide, Set(op.fields.keys) != ["village"] {
                failures.append("the tampered node received \(op.dot) on \(op.record) of village \(village ?? "?")")
            }
        }
        return failures
    }

    /// Every replica's kept rule cases (maintained as ops apply, across crashes, moves out of
    /// scope and re-identification) are the cases judged afresh from its whole state.
    func casesKept() throws -> [String] {
        var failures: [String] = []
        let now = simulation.clock.now
        for (name, replica) in [("hub", try hub.replica)] + nodes.map({ ($0.name, $0.replica) }) {
            let kept = try replica.ruleCases(nowMillis: now)
            let fresh = try replica.recomputedRuleCases(nowMillis: now)
            guard kept != fresh else { continue }
            let keptIDs = Set(kept.map(\.id))
            let freshIDs = Set(fresh.map(\.id))
            let missing = freshIDs.subtracting(keptIDs).sorted()
            let extra = keptIDs.subtracting(freshIDs).sorted()
            failures.append(
                "\(name): kept rule cases differ from the state's (missing \(missing.prefix(3)), extra "
                    + "\(extra.prefix(3)), \(missing.isEmpty && extra.isEmpty ? "same ids, other content or order" : "")"
            )
        }
        return failures
    }
}

extension SimInvariants {
    /// Every author's chain at the hub verifies from its signed checkpoint, and from its first
    /// op through the archive (`hearth hub verify`, with and without `--archive`), and ends, for
    /// every node that pushed, at the head the node signed.
    func chainsIntact() async throws -> [String] {
        var failures: [String] = []
        // Every node the hub acknowledged ops from pushed them with a signed head, kept.
        let pushed = try await hub.nodes().filter { $0.ackedCounter > 0 }.count
        for whole in [false, true] {
            let found = try await hub.verifyChains(whole: whole)
            failures += found.problems.map { "chains\(whole ? " (whole)" : ""): \($0)" }
            if found.signedHeads != pushed {
                failures.append("chains: \(found.signedHeads) signed heads verified, for \(pushed) nodes that pushed")
            }
        }
        return failures
    }
}

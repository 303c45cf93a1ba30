import HTTPTypes
import HearthCore
import HearthLedger
import HearthStore
import Hummingbird

extension Desk {
    /// One conflict three ways: the value both sides started from, each competing value with
    /// who wrote it, on which replica, its rank, time and reason, the rule and why it could not
    /// decide; and, for the roles that write, the form that settles it.
    func conflictPage(_ visit: inout Visit, id: String) async throws -> Response {
        let account = try visit.account
        guard case .open(let conflict) = try await current(id, for: account) else { throw DeskError.notFound }
        return await conflictView(conflict, visit: visit, changes: nil, status: .ok)
    }

    /// Settles a conflict from its page through ``HubLedger/resolve(_:choice:note:author:nowMillis:guarded:)``,
    /// as the CLI does: pick a value, the county's, or type one, with a note. The page's version
    /// of the conflict is checked in the transaction that writes (``DeskGuard``): a conflict that
    /// changed meanwhile is refused with 409 and the page shows what changed.
    func resolve(_ visit: inout Visit, id: String) async throws -> Response {
        let account = try visit.account
        guard account.role.writes else { throw DeskError.readOnly }
        let form = visit.form
        guard let seen = form["version"], !seen.isEmpty, seen.count <= 8_192,
            seen.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":,".contains($0)) })
        else { throw DeskError.badForm("the page's version of the conflict is missing") }
        let choice = try Self.choice(form)
        let note = form.trimmed("note") ?? ""

        let now: ConflictCase
        switch try await current(id, for: account) {
        case .absent: throw DeskError.notFound
        case .settled(let shown): return settledView(shown: shown, visit: visit)
        case .open(let conflict): now = conflict
        }
        guard now.version == seen else {
            return try await changedView(now, seen: seen, visit: visit)
        }
        let within = account.role == .reviewer ? account.township : nil
        let guarded = DeskGuard(
            seen: seen, within: within,
            audit: AuditEvent(
                atMillis: visit.nowMillis, worker: account.name, action: DeskAccounts.Action.resolve,
                subject: now.record.value, field: now.field, detail: "\(Self.describe(choice)) from \(visit.address)"))
        let op: Op
        do {
            op = try await ledger.resolve(
                id, choice: choice, note: note, author: account.name, nowMillis: visit.nowMillis, guarded: guarded)
        } catch {
            switch error {
            case .invalid(let input) where input.field == "version":
                // Changed between this request's read and its transaction: as stale as before it.
                switch try await current(id, for: account) {
                case .absent: throw DeskError.notFound
                case .settled(let shown): return settledView(shown: shown, visit: visit)
                case .open(let conflict): return try await changedView(conflict, seen: seen, visit: visit)
                }
            case .unknownRecord: throw DeskError.notFound
            case .invalid(let input):
                visit.errorMessage = visit.catalogue.format("error_resolve", ["detail": input.description])
                return await conflictView(now, visit: visit, changes: nil, status: .badRequest)
            default: throw error
            }
        }
        return Self.redirect(
            "/desk/conflicts?resolved=\(id)&op=\(op.dot.description)", cookies: visit.cookies)
    }

    /// A conflict as the hub holds it now, for a role: absent (no such record or field, or
    /// outside a reviewer's township), settled (one value left), or open.
    enum Current {
        case absent
        case settled(shown: String)
        case open(ConflictCase)
    }

    func current(_ id: String, for account: DeskAccount) async throws -> Current {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let record = RecordID(parts[0]),
            let spec = RecordSchema.field(parts[1], of: record.type),
            let state = try await ledger.reading({ try $0.state(of: record) })
        else { return .absent }
        let village = state.resolution(of: "village").value.textValue ?? ""
        if account.role == .reviewer, let township = account.township, !village.hasPrefix(township.value) {
            return .absent
        }
        do {
            return .open(try await ledger.conflict(id))
        } catch {
            switch error {
            case .invalid:
                return .settled(
                    shown: ledger.keys.display(state.resolution(of: parts[1]).value, spec: spec, reveal: false))
            case .unknownRecord: return .absent
            default: throw error
            }
        }
    }

    /// What each competing value would pay a month, and from which month, to every enrollment
    /// the field decides (``ReplicaCore/paymentEffects(of:field:values:months:)``), from a year
    /// back to a year ahead: one line per enrollment and run of months, by candidate. Empty when
    /// the field decides no money, or the read fails (the page is still shown).
    private func paysByCandidate(_ conflict: ConflictCase, visit: Visit) async -> [[String]] {
        let now = DomainCalendar.date(atMillis: visit.nowMillis).month
        let months = (-12...12).map { now.adding(months: $0) }
        let (record, field, values) = (conflict.record, conflict.field, conflict.candidates.map(\.value))
        guard
            let effects = try? await ledger.reading({ replica in
                try replica.paymentEffects(of: record, field: field, values: values, months: months)
            }),
            !effects.isEmpty
        else { return [] }
        let catalogue = visit.catalogue
        return conflict.candidates.indices.map { index in
            effects.flatMap { effect in
                effect.segments[index].map { segment in
                    let amount = segment.amount.map(\.yuanText) ?? catalogue["pays_withheld"]
                    return "\(effect.enrollment.value): \(amount) \(catalogue["pays_from"]) \(segment.from)"
                }
            }
        }
    }

    /// The page of a conflict, with what changed since the page that posted was loaded.
    private func conflictView(
        _ conflict: ConflictCase, visit: Visit, changes: [String]?, status: HTTPResponse.Status
    ) async -> Response {
        let catalogue = visit.catalogue
        let account = visit.session?.account
        let rule = catalogue.rule(title: conflict.rule.title, reason: conflict.rule.reason)
        let kind = RecordSchema.field(conflict.field, of: conflict.record.type)?.kind
        let pays = await paysByCandidate(conflict, visit: visit)
        var data: [String: Any] = [
            "id": conflict.id, "record": conflict.record.value, "field": conflict.field,
            "village": conflict.village ?? "", "state": catalogue[conflict.open ? "state_open" : "state_soft"],
            "rule_id": conflict.rule.id, "rule_title": rule.title, "rule_reason": rule.reason,
            "shown": conflict.display, "base": conflict.base ?? catalogue["base_none"],
            "action": "/desk/conflicts/\(conflict.id)", "csrf": visit.session?.csrf ?? "", "version": conflict.version,
            "can_resolve": account?.role.writes ?? false, "has_effects": !pays.isEmpty,
            "base_span": pays.isEmpty ? 6 : 7,
            "has_county": conflict.candidates.contains { $0.rank == ScopePrefix.Level.county.rawValue },
            "value_hint": catalogue[kind == .money ? "hint_money" : kind == .schedule ? "hint_schedule" : "hint_other"],
            "candidates": conflict.candidates.enumerated().map { index, candidate in
                [
                    "number": index + 1, "value": candidate.display, "author": candidate.author,
                    "replica": candidate.replicaName, "rank": candidate.rank,
                    "time": DeskFormat.time(candidate.atMillis),
                    "reason": candidate.reason ?? catalogue["reason_none"],
                    "pays": pays.isEmpty ? [] : pays[index],
                ] as [String: Any]
            },
        ]
        if let changes { data["changes"] = ["lines": changes + [catalogue["changed_hint"]]] }
        return render("conflict", data, visit: visit, status: status)
    }

    /// 409: the conflict as it stands now, and what differs from the page that posted.
    private func changedView(_ conflict: ConflictCase, seen: String, visit: Visit) async throws -> Response {
        let catalogue = visit.catalogue
        let before = Set(seen.split(separator: ",").map(String.init))
        let now = Set(conflict.candidates.map(\.dot.description))
        var lines: [String] = conflict.candidates.filter { !before.contains($0.dot.description) }.map { candidate in
            catalogue.format(
                "changed_added",
                [
                    "value": candidate.display, "author": candidate.author, "replica": candidate.replicaName,
                    "time": DeskFormat.time(candidate.atMillis),
                ])
        }
        let gone = before.subtracting(now)
        if !gone.isEmpty, let spec = RecordSchema.field(conflict.field, of: conflict.record.type) {
            let record = conflict.record
            let log = try await ledger.reading { try $0.log(record: record) }
            for entry in log where gone.contains(entry.op.dot.description) {
                let value = entry.op.fields[conflict.field] ?? .null
                lines.append(
                    catalogue.format(
                        "changed_gone",
                        [
                            "value": ledger.keys.display(value, spec: spec, reveal: false),
                            "author": entry.op.author,
                        ]))
            }
        }
        return await conflictView(conflict, visit: visit, changes: lines, status: .conflict)
    }

    /// 409: the conflict was settled meanwhile; the value it shows now.
    private func settledView(shown: String, visit: Visit) -> Response {
        let catalogue = visit.catalogue
        return render(
            "error",
            [
                "heading": catalogue["changed_title"], "message": catalogue.format("changed_settled", ["value": shown]),
                "back": "/desk/conflicts",
            ], visit: visit, status: .conflict)
    }

    /// The choice a resolution form makes: `pick-N`, `county`, or `value` with the value typed.
    static func choice(_ form: FormFields) throws(DeskError) -> DeskChoice {
        switch form["choice"] ?? "" {
        case "county": return .county
        case "value":
            guard let typed = form.trimmed("value") else { throw DeskError.badForm("type the value to write") }
            return .value(typed)
        case let pick where pick.hasPrefix("pick-"):
            guard let number = Int(pick.dropFirst(5)), number >= 1, number <= 1_000 else {
                throw DeskError.badForm("choice: not a value of this conflict")
            }
            return .pick(number)
        default: throw DeskError.badForm("choose a value, the county's, or type one")
        }
    }

    /// The choice for the audit line: never the value typed (it may be a sealed number).
    static func describe(_ choice: DeskChoice) -> String {
        switch choice {
        case .pick(let number): return "pick \(number)"
        case .newest: return "newest"
        case .county: return "county"
        case .value: return "value"
        }
    }
}

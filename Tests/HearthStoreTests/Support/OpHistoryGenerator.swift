import HearthCore
import HearthLedger
import HearthStore

/// One replica that makes changes in a generated history.
struct Author {
    let replica: ReplicaCore
    let worker: String
    /// How far this replica's wall clock is from the true (fake) time, in milliseconds.
    let skew: Int64
    /// Position in the case, for stable ordering (replica ids are random per run).
    let index: Int
}

/// What a generated case produced: its authors and every op any of them made.
struct GeneratedHistory {
    let authors: [Author]
    /// The union of every author's log, deduplicated by dot, in (author, counter) order.
    let ops: [Op]
    /// Integration reports from the authors' own syncs while they worked.
    let syncReport: ApplyReport
    /// Ops that arrived twice with different bytes (a fork): must stay empty.
    let forks: [Dot]
}

/// Builds a random op history: 3 or 4 author replicas (county, township and village scopes)
/// create and edit households, members, enrollments and visits in village 421281101001,
/// syncing with each other now and then (fully or partly), on skewed fake clocks.
/// Everything is drawn from the case's seeded generator.
enum OpHistoryGenerator {
    /// Fields that the policy counters need written often, by record type.
    static let hotFields: [RecordType: [String]] = [
        .household: ["phone", "address", "status", "tags", "income"],
        .member: ["vital_status", "name", "id_number", "death_date"],
        .enrollment: ["decision", "decision", "status", "amount"],
        .visit: ["note"],
    ]

    static func generate(lab: MergeLab, rng: inout SplitMix64) throws -> GeneratedHistory {
        let scopes = [MergeLab.county, MergeLab.township, MergeLab.village, MergeLab.village]
        let authorCount = Int.random(in: 3...4, using: &rng)
        var authors: [Author] = []
        for index in 0..<authorCount {
            let scope = scopes[index]
            // Half the replicas run on a skewed clock, some beyond the 5-minute bound.
            let skew: Int64 = rng.chance(50) ? Int64.random(in: -600_000...600_000, using: &rng) : 0
            let replica = try lab.replica(
                scope, role: .node, name: "author \(index)", skew: skew)
            authors.append(Author(replica: replica, worker: "w\(index)-\(scope)", skew: skew, index: index))
        }

        var known: [RecordType: [RecordID]] = [:]
        var syncReport = ApplyReport()
        let steps = Int.random(in: 18...55, using: &rng)
        for _ in 0..<steps {
            lab.tick(Int64.random(in: 0...40, using: &rng))
            let author = authors.randomElement(using: &rng)!
            let now = lab.now + author.skew
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 22 {
                // Sync from another author: everything, or a random part in a random order.
                let source = authors.filter { $0.index != author.index }.randomElement(using: &rng)!
                var ops = try source.replica.allOps()
                if rng.chance(35) {
                    ops = ops.filter { _ in rng.chance(60) }.shuffled(using: &rng)
                }
                let report = try author.replica.integrate(ops, nowMillis: now)
                syncReport.add(report)
                continue
            }
            let held = try RecordType.allCases.flatMap { type in
                try (known[type] ?? []).filter { try author.replica.state(of: $0) != nil }
            }
            let households = known[.household] ?? []
            let members = known[.member] ?? []
            // Few records, so that authors often edit the same ones concurrently.
            var make: RecordType?
            if households.isEmpty || (roll < 28 && households.count < 2) {
                make = .household
            } else if roll < 34 && members.count < 2 {
                make = .member
            } else if roll < 44 && !members.isEmpty && (known[.enrollment]?.count ?? 0) < 3 {
                make = .enrollment
            } else if roll < 46 && (known[.visit]?.count ?? 0) < 1 {
                make = .visit
            }
            if let type = make {
                let id = try create(type, by: author, now: now, lab: lab, known: known, rng: &rng)
                known[type, default: []].append(id)
                continue
            }
            guard let target = held.randomElement(using: &rng) else {
                // Holds nothing yet: catch up with someone instead.
                let source = authors.filter { $0.index != author.index }.randomElement(using: &rng)!
                syncReport.add(try author.replica.integrate(source.replica.allOps(), nowMillis: now))
                continue
            }
            let fields = updateFields(for: target.type, lab: lab, known: known, rng: &rng)
            _ = try author.replica.write(author: author.worker, nowMillis: now) { changes in
                try changes.update(target, fields: fields)
            }
        }

        var byDot: [Dot: Op] = [:]
        var forks: Set<Dot> = []
        for author in authors {
            for op in try author.replica.allOps() {
                if let held = byDot[op.dot] {
                    if held.hash != op.hash { forks.insert(op.dot) }
                } else {
                    byDot[op.dot] = op
                }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: authors.map { ($0.replica.info.id, $0.index) })
        let ops = byDot.values.sorted {
            (order[$0.dot.replica]!, $0.dot.counter) < (order[$1.dot.replica]!, $1.dot.counter)
        }
        return GeneratedHistory(authors: authors, ops: ops, syncReport: syncReport, forks: forks.sorted())
    }

    private static func create(
        _ type: RecordType, by author: Author, now: Int64, lab: MergeLab, known: [RecordType: [RecordID]],
        rng: inout SplitMix64
    ) throws -> RecordID {
        var fields: [String: FieldValue] = [:]
        func set(_ name: String) {
            fields[name] = value(for: RecordSchema.field(name, of: type)!, lab: lab, known: known, rng: &rng)
        }
        switch type {
        case .household:
            fields["status"] = .text("active")
            for name in ["address", "phone", "type", "income", "tags"] where rng.chance(50) { set(name) }
        case .member:
            fields["vital_status"] = .text("alive")
            for name in ["household", "name", "id_number", "sex", "birth_date", "relation"] where rng.chance(70) {
                set(name)
            }
        case .enrollment:
            fields["status"] = .text("applied")
            fields["decision"] = .text("pending")
            for name in ["member", "household", "program", "amount", "start_month"] { set(name) }
        case .visit:
            for name in ["household", "date", "worker", "note"] { set(name) }
        case .standard:
            for name in ["program", "from_month", "amount"] { set(name) }
        case .lead:
            fields["status"] = .text("open")
            for name in ["member", "source", "detail"] { set(name) }
        case .setting:
            for name in ["name", "value"] { set(name) }
        case .division:
            for name in ["code", "name"] { set(name) }
        }
        return try author.replica.create(type, fields, author: author.worker, nowMillis: now)
    }

    /// One to three fields to set, mostly the policy-relevant ones, with valid values.
    private static func updateFields(
        for type: RecordType, lab: MergeLab, known: [RecordType: [RecordID]], rng: inout SplitMix64
    ) -> [String: FieldValue] {
        let specs = RecordSchema.fields(of: type)
        let count = rng.chance(60) ? 1 : (rng.chance(75) ? 2 : 3)
        var fields: [String: FieldValue] = [:]
        for _ in 0..<count {
            let spec: FieldSpec
            if rng.chance(65), let hot = hotFields[type]?.randomElement(using: &rng) {
                spec = RecordSchema.field(hot, of: type)!
            } else {
                spec = specs.randomElement(using: &rng)!
            }
            fields[spec.name] = value(for: spec, lab: lab, known: known, rng: &rng)
        }
        return fields
    }

    static let texts = [
        "", "x", "12 Main St", "村东头 3号", "a \"quoted\" value", "back\\slash", "line\nbreak", "tab\there",
        "caf\u{E9}", "cafe\u{301}", "🙂 emoji", "ctl\u{1}\u{1F}x", "13800138000", "+86 138-0013-8000",
    ]
    static let tags = ["poor", "elderly", "disabled", "orphan", "标记", "needs visit", "e\u{301}"]
    static let clearTexts = ["421281198001010011", "42128119800101002X", "6222020200112233445"]

    /// A random value that the field's kind accepts (FieldKind.problem(with:) is nil).
    static func value(
        for spec: FieldSpec, lab: MergeLab, known: [RecordType: [RecordID]], rng: inout SplitMix64
    ) -> FieldValue {
        if spec.name != "village" && rng.chance(6) { return .null }
        switch spec.kind {
        case .text(let maxLength):
            return .text(texts.filter { $0.count <= maxLength }.randomElement(using: &rng)!)
        case .code(let codes):
            return .text(codes.randomElement(using: &rng)!)
        case .integer(let range):
            let top = min(range.upperBound, range.lowerBound + 5)
            return .integer(Int64.random(in: range.lowerBound...top, using: &rng))
        case .money:
            return .integer([0, 30_000, 56_000, 123_456].randomElement(using: &rng)!)
        case .date:
            return .text(["2020-01-31", "1980-02-29", "2024-12-01"].randomElement(using: &rng)!)
        case .month:
            return .text(["2024-01", "2024-07", "2025-03"].randomElement(using: &rng)!)
        case .division:
            // Records stay in the one village every scope holds.
            return .text(MergeLab.village)
        case .reference(let type):
            if let id = (known[type] ?? []).randomElement(using: &rng) { return .text(id.value) }
            return .text("\(type.idPrefix)-0123456789ab-1")
        case .sealed:
            return .sealed(lab.keys.seal(clearTexts.randomElement(using: &rng)!))
        case .set:
            return FieldValue.makeSet(tags.filter { _ in rng.chance(30) })
        case .schedule:
            let schedules = ["2024-01:56000", "2024-01:56000;2024-07:60000", "2025-03:0", "2024-07:61000"]
            return .text(schedules.randomElement(using: &rng)!)
        }
    }
}

extension ApplyReport {
    mutating func add(_ other: ApplyReport) {
        applied += other.applied
        duplicates += other.duplicates
        waiting += other.waiting
        released += other.released
    }
}

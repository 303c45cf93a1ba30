import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthText

/// `hearth bench county`: the bureau's reads timed on a county of a profile's size.
///
/// The hub answers the desk, the report and the roll on a county of 60,000 to 380,000 people;
/// each read must cost what it returns, so the same reads at a quarter of a county and at the
/// whole of it show whether they grow linearly. Each read runs the library calls its command
/// runs (`status`, `hub conflicts`, `hub report --by township` for the month and for the year
/// to it, `hub payroll`, `show`, `find`), in this process, a few times; the median counts. A
/// hub kept on a PostgreSQL server is timed the same way, through its storage, so the two
/// stores' figures compare.
public struct CountyBench: Sendable {
    /// One read's timings.
    public struct Timing: Sendable {
        public let read: String
        /// Each run's wall time, in seconds, in the order they ran.
        public let seconds: [Double]
        /// What the read returned (lines, cases, records shown), to judge its cost by.
        public let returned: Int

        public var median: Double { seconds.sorted()[seconds.count / 2] }
    }

    public let hub: HubLedger
    public let month: Month
    public let nowMillis: Int64
    /// How many times each read runs.
    public let runs: Int
    /// Records `show` is timed on (members, households and enrollments, drawn by the seed).
    public let shows: Int
    public let seed: UInt64

    public init(hub: HubLedger, month: Month, nowMillis: Int64, runs: Int = 3, shows: Int = 20, seed: UInt64 = 7) {
        self.hub = hub
        self.month = month
        self.nowMillis = nowMillis
        self.runs = runs
        self.shows = shows
        self.seed = seed
    }

    /// One timing as a line a person reads.
    public static func line(_ timing: Timing) -> String {
        timing.read.padding(toLength: 14, withPad: " ", startingAt: 0)
            + String(format: "%8.3f s", timing.median)
            + Catalogue.text(
                "bench.county.median", ["runs": "\(timing.seconds.count)", "returned": "\(timing.returned)"])
    }

    /// Runs `body` as the hub's commands read: on the replica core of a hub kept in a file, or
    /// in a read transaction of a hub kept on a PostgreSQL server (which has no core).
    func read<T: Sendable>(_ body: @escaping @Sendable (any ReplicaReading) throws -> T) async throws -> T {
        if let core = try? hub.replica { return try body(core) }
        return try await hub.reading { try body($0) }
    }

    /// Times every read; `directory` receives the roll's files (removed after each run). On a
    /// hub kept on a server every read but `find` runs, each in a read transaction there
    /// (`find` searches a replica's own file).
    public func run(in directory: String, say: (String) -> Void = { _ in }) async throws -> [Timing] {
        let now = nowMillis
        let month = month
        let (seed, shows) = (seed, shows)
        let sample: [RecordID] = try await read { replica in
            var sample: [RecordID] = []
            var random = SplitMix64(seed: seed)
            for type in [RecordType.member, .household, .enrollment] {
                let ids = try replica.list(type)
                guard !ids.isEmpty else { continue }
                for _ in 0..<max(1, shows / 3) { sample.append(ids[Int(random.next() % UInt64(ids.count))]) }
            }
            return sample
        }
        let reads: [(String, () async throws -> Int)] = [
            (
                "status",
                {
                    try await read { replica in
                        _ = try replica.status()
                        let conflicts = try replica.conflictedFields()
                        let held = try replica.heldEnrollments(nowMillis: now)
                        _ = try replica.countyDecisions(by: replica.info.id)
                        return conflicts.count + held.count
                    }
                }
            ),
            (
                "hub conflicts",
                {
                    let conflicts = try await hub.conflicts()
                    return conflicts.count + (try await read { try $0.ruleCases(nowMillis: now) }).count
                }
            ),
            (
                "hub report",
                { try await read { try $0.report(from: month, to: month, by: .township, nowMillis: now).lines.count } }
            ),
            (
                // A year's report: twelve months' rolls over one book (a county whose months
                // are locked reads each month's locked lines instead).
                "hub report year",
                {
                    try await read {
                        try $0.report(from: month.adding(months: -11), to: month, by: .township, nowMillis: now)
                            .lines.count
                    }
                }
            ),
            (
                "hub payroll",
                {
                    let (_, bank) = try await hub.payrollWithBankRoll(for: month, nowMillis: now)
                    let out = directory + "/roll-\(UUID().uuidString).csv"
                    let paths = try await PayrollFile.write(bank, to: out)
                    for path in [paths.disbursement, paths.noCard, paths.recovery, paths.summary] {
                        try? FileManager.default.removeItem(atPath: path)
                    }
                    return bank.lines.count
                }
            ),
        ]
        var timings: [Timing] = []
        for (name, read) in reads {
            var seconds: [Double] = []
            var returned = 0
            for _ in 0..<max(1, runs) {
                let start = DispatchTime.now().uptimeNanoseconds
                returned = try await read()
                seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            timings.append(Timing(read: name, seconds: seconds, returned: returned))
            say(Self.line(timings[timings.count - 1]))
        }
        // `show`: each record on its own, as a worker asks; a run counts its slowest record.
        var seconds: [Double] = []
        for _ in 0..<max(1, runs) {
            var slowest = 0.0
            for id in sample {
                let start = DispatchTime.now().uptimeNanoseconds
                try await read { replica in
                    _ = try replica.view(id, reveal: false)
                    _ = try replica.log(record: id)
                    _ = try replica.holds(of: id, nowMillis: now)
                    if id.type == .enrollment { _ = try replica.payingSchedule(of: id) }
                }
                slowest = max(slowest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            seconds.append(slowest)
        }
        timings.append(Timing(read: "show", seconds: seconds, returned: sample.count))
        say(Self.line(timings[timings.count - 1]))
        if let core = try? hub.replica {
            timings.append(try find(sample, on: core))
            say(Self.line(timings[timings.count - 1]))
        }
        return timings
    }

    /// `find`: each sampled member by its whole name, its name's first two characters and as a
    /// name given for a record id, each sampled household by its address, as a clerk searches;
    /// a run counts its slowest search.
    func find(_ sample: [RecordID], on replica: ReplicaCore) throws -> Timing {
        var texts: [(text: String, asName: Bool)] = []
        for id in sample {
            guard let hit = try replica.searchHit(id) else { continue }
            if let name = hit.name, id.type == .member {
                texts += [(name, true), (String(name.prefix(2)), false)]
            }
            if let address = hit.address { texts.append((address, false)) }
        }
        var seconds: [Double] = []
        var returned = 0
        for _ in 0..<max(1, runs) {
            var slowest = 0.0
            returned = 0
            for (text, asName) in texts {
                let start = DispatchTime.now().uptimeNanoseconds
                returned += try replica.find(text, limit: 50, nowMillis: nowMillis).hits.count
                if asName { returned += try replica.members(named: text, limit: 20).hits.count }
                slowest = max(slowest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            seconds.append(slowest)
        }
        return Timing(read: "find", seconds: seconds, returned: returned)
    }
}

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthLedgerPostgres
import HearthLedgerSQLite
import HearthStore

/// `hearth bench sync`: a county-sized night over loopback. Village nodes full of households
/// and members, each with a day's edits, push to a hub running as its own process; township
/// nodes then pull their villages. Reports time, the hub's op rate, bytes per op on the wire,
/// the hub process's peak memory, and how fast `/healthz` and `/metrics` answer while the
/// hub applies the pushes.
struct SyncBench {
    let directory: String
    let villages: Int
    /// Township nodes, each pulling the villages `i`, `i + townships`, ... (one per 20 villages
    /// unless given): apart from `villages`, so a night's cost can be told from the size of
    /// what each township holds.
    var townships: Int? = nil
    let households: Int
    let membersPerHousehold: Int
    let editsPerVillage: Int
    let concurrency: Int
    /// `hub serve` processes on the one database; node `i` syncs through hub `i mod hubs`.
    var hubs = 1
    /// The hub's PostgreSQL database (empty) and the URL that names it (password included, for
    /// the hub processes); nil for a SQLite file in `directory`.
    var store: (location: PostgresLocation, url: String)? = nil
    let say: (String) -> Void

    struct Result {
        var ops = 0
        /// Township nodes that pulled.
        var townships = 0
        var setupSeconds = 0.0
        var pushSeconds = 0.0
        var pullSeconds = 0.0
        var pushedBytes = 0
        var pulledOps = 0
        var pulledBytes = 0
        /// The largest of the hub processes' peaks.
        var hubPeakKiB = 0
        /// CPU seconds (user and system) the hub processes spent while the villages pushed and
        /// while the townships pulled, and the bench's own process (every node, the probes)
        /// meanwhile: the night's nodes and hub share this machine's cores, where a county's
        /// each have their own, so the wall time alone does not say whose work it was.
        var hubPushCPU = 0.0
        var hubPullCPU = 0.0
        var nodesPushCPU = 0.0
        var nodesPullCPU = 0.0
        /// `/healthz` and `/metrics` answer times measured while the villages pushed.
        var health = LatencyProbe.Figures(samples: [], failures: 0)
        var metrics = LatencyProbe.Figures(samples: [], failures: 0)
        /// A village syncing again with nothing new: bytes both ways, and the median of five
        /// such syncs' wall time.
        var idleBytes = 0
        var idleSeconds = 0.0
        /// The hubs' `hearth_push_seconds_total` by phase after the push (``HubMetrics``): where
        /// the pushes' time went, summed over pushes that overlap.
        var pushPhases: [String: Double] = [:]
    }

    func run() async throws -> Result {
        var result = Result()
        let setupStart = Date()
        let hubPath = directory + "/hub.db"
        let keyPath = directory + "/hub.key"
        let scope = try ScopePrefix.parse("421281", field: "scope")
        let hub: HubLedger
        let serve: [String]
        if let store {
            hub = try await HubLedger.create(
                postgres: store.location, keyPath: keyPath, name: "bench hub", scope: scope, nowMillis: nowMillis())
            serve = ["--store", store.url, "--key-file", keyPath]
        } else {
            hub = try HubLedger.create(path: hubPath, name: "bench hub", scope: scope, nowMillis: nowMillis())
            serve = ["--db", hubPath]
        }
        // The hub's process starts before the nodes' databases are open: Foundation's
        // `Process.run` crashed (a bad memcpy) when this process held the file descriptors of
        // 300 villages' databases.
        var servers: [HubProcess] = []
        defer { for server in servers { server.stop() } }
        for _ in 0..<max(1, hubs) { servers.append(try HubProcess.start(serve)) }
        let urls = servers.map(\.url)
        let url = urls[0]
        let townships = townships ?? Self.defaultTownships(villages: villages)
        result.townships = townships
        var villageNodes: [Replica] = []
        var townshipNodes: [(Replica, String)] = []
        var random = SplitMix64(seed: 7)
        let perVillage = max(1, households / villages)
        for index in 0..<villages {
            let township = String(101 + index % townships)
            let code = "421281\(township)\(String(format: "%03d", 1 + index / townships))"
            let node = try await makeNode(hub, name: "village-\(index)", scope: code)
            try populate(node, village: code, households: perVillage, random: &random)
            villageNodes.append(node)
            if index % 50 == 49 { say(L("bench.sync.populated", ["done": index + 1, "villages": villages])) }
        }
        for index in 0..<townships {
            let code = "421281\(101 + index)"
            await townshipNodes.append((try makeNode(hub, name: "township-\(index)", scope: code), code))
        }
        result.ops = try villageNodes.reduce(0) { $0 + Int(try $1.status().ownOps) }
        result.setupSeconds = Date().timeIntervalSince(setupStart)
        say(
            L(
                "bench.sync.set_up",
                [
                    "villages": villages, "townships": townships, "ops": result.ops,
                    "seconds": String(format: "%.1f", result.setupSeconds),
                ]))

        for (index, node) in (villageNodes + townshipNodes.map(\.0)).enumerated() {
            let pending = try node.syncState().pendingRegistration ?? ""
            let parts = pending.split(separator: "\n", maxSplits: 1).map(String.init)
            let address = urls[index % urls.count]
            let client = try SyncClient(replica: node, baseURL: address, clock: { nowMillis() })
            _ = try await client.register(secret: parts[0], name: parts[1])
            await client.shutdown()
            try node.clearPendingRegistration()
            try node.setHubURL(address)
        }

        // While the villages push, two probes ask the hub's unauthenticated endpoints over
        // HTTP: they should answer at once however busy the database is.
        let health = LatencyProbe(url: url + "/healthz")
        let metrics = LatencyProbe(url: url + "/metrics")
        health.start()
        metrics.start()
        let pushStart = Date()
        func hubsCPU() -> Double { servers.map { $0.cpuSeconds() }.reduce(0, +) }
        let hubBeforePush = hubsCPU()
        let nodesBeforePush = HubProcess.ownCPUSeconds()
        let pushed: [SyncSummary]
        do { pushed = try await syncAll(villageNodes, urls: urls) } catch {
            _ = await health.stop()
            _ = await metrics.stop()
            throw error
        }
        result.pushSeconds = Date().timeIntervalSince(pushStart)
        let hubAfterPush = hubsCPU()
        let nodesAfterPush = HubProcess.ownCPUSeconds()
        result.hubPushCPU = hubAfterPush - hubBeforePush
        result.nodesPushCPU = nodesAfterPush - nodesBeforePush
        result.health = await health.stop()
        result.metrics = await metrics.stop()
        for address in urls {
            for (phase, seconds) in try await HubProcess.pushSeconds(url: address) {
                result.pushPhases[phase, default: 0] += seconds
            }
        }
        result.pushedBytes = pushed.reduce(0) { $0 + $1.pushedBytes + $1.pulledBytes }
        let pullStart = Date()
        let hubBeforePull = hubsCPU()
        let nodesBeforePull = HubProcess.ownCPUSeconds()
        let pulled = try await syncAll(townshipNodes.map(\.0), urls: urls)
        result.pullSeconds = Date().timeIntervalSince(pullStart)
        result.hubPullCPU = hubsCPU() - hubBeforePull
        result.nodesPullCPU = HubProcess.ownCPUSeconds() - nodesBeforePull
        // The next night of a village with nothing new: push nothing, pull nothing, the index unchanged.
        if let village = villageNodes.first {
            let client = try SyncClient(replica: village, baseURL: url, clock: { nowMillis() })
            var times: [Double] = []
            for _ in 0..<5 {
                let start = Date()
                let summary = try await client.sync()
                times.append(Date().timeIntervalSince(start))
                result.idleBytes = summary.pushedBytes + summary.pulledBytes
            }
            await client.shutdown()
            result.idleSeconds = times.sorted()[times.count / 2]
        }
        result.pulledOps = pulled.reduce(0) { $0 + $1.pulledOps }
        result.pulledBytes = pulled.reduce(0) { $0 + $1.pushedBytes + $1.pulledBytes }
        result.hubPeakKiB = servers.map { $0.peakKiB() }.max() ?? 0
        let hubOps =
            if let postgres = hub.storage as? PostgresLedgerStorage {
                try await postgres.opCount()
            } else {
                try hub.replica.status().logSize
            }
        guard hubOps == result.ops, result.pulledOps == result.ops else {
            throw CLIError.failed(
                L("error.bench.sync.lost_ops", ["made": result.ops, "held": hubOps, "pulled": result.pulledOps]))
        }
        return result
    }

    /// One township for every 20 villages, as a county's are about.
    static func defaultTownships(villages: Int) -> Int { max(1, (villages + 19) / 20) }

    private func makeNode(_ hub: HubLedger, name: String, scope: String) async throws -> Replica {
        let prefix = try ScopePrefix.parse(scope, field: "scope")
        let secret = try await hub.createEnrollment(name: name, scope: prefix, nowMillis: nowMillis())
        let node = try Replica.create(
            path: directory + "/\(name).db", name: name, scope: prefix, nowMillis: nowMillis(),
            keys: hub.keys.withNewSigningKey())
        try node.setHub(
            replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: secret + "\n" + name)
        return node
    }

    /// Households with members (valid ID numbers), dibao for a third of them, then a day's edits.
    private func populate(_ node: Replica, village: String, households: Int, random: inout SplitMix64) throws {
        let code = try DivisionCode.parse(village, field: "village")
        var generator = random
        defer { random = generator }
        _ = try node.write(author: "bench", nowMillis: nowMillis()) { changes in
            var homes: [RecordID] = []
            for number in 0..<households {
                let home = try changes.create(
                    .household, village: code,
                    fields: ["address": .text("\(number + 1)号"), "type": .text("rural"), "status": .text("active")])
                homes.append(home)
                for position in 0..<membersPerHousehold {
                    let year = 1940 + Int(generator.next() % 80)
                    let body =
                        "421281\(year)\(String(format: "%02d%02d", 1 + Int(generator.next() % 12), 1 + Int(generator.next() % 28)))\(String(format: "%03d", Int(generator.next() % 1000)))"
                    let id = body + String(IDNumber.checkDigit(of: body)!)
                    let parsed = try IDNumber(parsing: id, today: changes.today())
                    let member = try changes.create(
                        .member, village: code,
                        fields: [
                            "household": .text(home.value), "name": .text("成员\(number)-\(position)"),
                            "id_number": .sealed(node.keys.seal(parsed.value)), "sex": .text(parsed.sex.rawValue),
                            "birth_date": .text(parsed.birthDate.description),
                            "relation": .text(position == 0 ? "head" : "child"),
                            "vital_status": .text("alive"),
                        ])
                    if position == 0 { try changes.update(home, fields: ["head": .text(member.value)]) }
                    if number % 3 == 0 {
                        try changes.create(
                            .enrollment, village: code,
                            fields: [
                                "member": .text(member.value), "household": .text(home.value),
                                "program": .text("dibao_rural"),
                                "status": .text("applied"), "decision": .text("pending"),
                                "amount": .text("2026-01:56000"),
                                "start_month": .text("2026-01"),
                            ])
                    }
                }
            }
            for edit in 0..<editsPerVillage where !homes.isEmpty {
                let home = homes[Int(generator.next() % UInt64(homes.count))]
                try changes.update(home, fields: ["phone": .text("1380000\(String(format: "%04d", edit))")])
            }
        }
    }

    /// Syncs every node, `concurrency` at once, node `i` through `urls[i mod count]`.
    private func syncAll(_ nodes: [Replica], urls: [String]) async throws -> [SyncSummary] {
        try await withThrowingTaskGroup(of: SyncSummary.self) { group in
            var summaries: [SyncSummary] = []
            var next = 0
            func add() {
                let node = nodes[next]
                let url = urls[next % urls.count]
                next += 1
                group.addTask {
                    let client = try SyncClient(replica: node, baseURL: url, clock: { nowMillis() })
                    do {
                        let summary = try await client.sync()
                        await client.shutdown()
                        return summary
                    } catch {
                        await client.shutdown()
                        throw error
                    }
                }
            }
            while next < min(concurrency, nodes.count) { add() }
            while let summary = try await group.next() {
                summaries.append(summary)
                if next < nodes.count { add() }
            }
            return summaries
        }
    }
}

/// The hub as its own process (`hearth hub serve`), so its memory is measured alone.
struct HubProcess {
    let process: Process
    let url: String

    /// A `hub serve` of the hub `store` names (`--db FILE`, or `--store URL --key-file FILE`).
    static func start(_ store: [String]) throws -> HubProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        // In English whatever the bench's language: the line announcing the address is read below.
        process.arguments = ["hub", "serve"] + store + ["--port", "0", "--lang", "en"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !(text.contains("serving") && text.contains("\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: "http://127.0.0.1:[0-9]+", options: .regularExpression) else {
            process.terminate()
            throw CLIError.failed(L("error.bench.hub_process"))
        }
        return HubProcess(process: process, url: String(text[range]))
    }

    /// The hub's `hearth_push_seconds_total` by phase, read from its `/metrics`.
    static func pushSeconds(url: String) async throws -> [String: Double] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let text: String
        do {
            let response = try await client.execute(HTTPClientRequest(url: url + "/metrics"), timeout: .seconds(30))
            text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
        let prefix = "hearth_push_seconds_total{phase=\""
        var phases: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let space = rest.lastIndex(of: " "),
                let seconds = Double(rest[rest.index(after: space)...])
            else { continue }
            phases[String(rest[..<quote])] = seconds
        }
        return phases
    }

    /// VmHWM: the hub process's peak resident memory, in KiB.
    func peakKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// The CPU time, user and system, the hub process has spent so far (`/proc/PID/stat`:
    /// `utime` and `stime`, in clock ticks); 0 when it cannot be read.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        // After the command's name in parentheses (which may hold spaces): state is field 3,
        // utime field 14 and stime field 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The CPU time, user and system, this process (the bench's nodes) has spent so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

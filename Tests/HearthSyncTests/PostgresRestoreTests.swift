import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthLedgerPostgres
import HearthStore
import HearthTestPostgres
import NIOPosix
import Testing
import HearthTestSupport

/// A hub kept in PostgreSQL put back from a `pg_dump` taken before it made ops that nodes
/// pulled and before nodes pushed more, then `hearth hub restore --store` (here the call it
/// makes): everyone converges with nothing lost and no dot reused. A real server, real dumps,
/// real HTTP on loopback.
@Suite("A hub in PostgreSQL restored from pg_dump: no dot reused, nothing lost")
struct PostgresRestoreTests {
    /// Runs one of the tests' server's client programs (`pg_dump`, `pg_restore`), waited for on
    /// a thread of NIO's pool rather than one of the cooperative threads the other suites need.
    static func run(_ server: PostgresServer, _ program: String, _ arguments: [String]) async throws {
        try await NIOThreadPool.singleton.runIfActive { try runBlocking(server, program, arguments) }
    }

    private static func runBlocking(_ server: PostgresServer, _ program: String, _ arguments: [String]) throws {
        let process = ChildProcess()
        process.executableURL = server.binaries.appendingPathComponent(program)
        process.arguments = arguments
        process.standardOutput = .null
        let said = try process.outputs().text.standardError
        guard process.terminationStatus == 0 else { throw TestFailure("\(program) failed: \(said)") }
    }

    /// Connection arguments of a database on the tests' server.
    static func connection(_ location: PostgresLocation) -> [String] {
        ["-h", location.host ?? "127.0.0.1", "-p", "\(location.port)", "-U", location.user, "-d", location.database]
    }

    @Test(
        "a hub restored from pg_dump taken before it made ops that nodes pulled, and before nodes pushed more: everyone converges with nothing lost"
    )
    func restoredFromDump() async throws {
        let server = try await PostgresServer.shared()
        let county = try await TestCounty(.postgres)
        let storage = try #require(county.hub.storage as? PostgresLedgerStorage)
        let dump = county.directory + "/county.dump"
        var village: Replica!
        var township: Replica!
        var enrollment: RecordID!
        var countyMade: Op!
        var pushedLater: RecordID!
        try await withRunningHub(county.service()) { url in
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let member = try village.member(of: home, name: "王五")
            try await county.syncRounds([village, township], url: url)
            try await Self.run(server, "pg_dump", ["-Fc", "-f", dump] + Self.connection(storage.location))

            // After the dump: the township enrolls the member while the village records the
            // death, so the hub's rule R1 ends the enrollment (an op the hub makes); the county
            // adds a household; the village adds another.
            enrollment = try township.enroll(
                EnrollInput(member: member.value, program: "temporary", amount: "500", start: "2026-10"),
                author: "zhen", nowMillis: TestCounty.now)[0]
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            _ = try village.recordDeath(
                member: member.value, date: "2026-11-02", author: "w1", nowMillis: TestCounty.now)
            let village1 = try DivisionCode.parse(TestCounty.village1, field: "village")
            let (_, made) = try await county.hub.storage.edit(author: "county", nowMillis: TestCounty.now) { edit in
                try edit.create(
                    .household, village: village1,
                    fields: ["address": .text("中心录入"), "status": .text("active"), "type": .text("rural")], cause: nil)
            }
            // Typed, so that no op made fails the test (into an `Op!` it could not).
            let first: Op = try #require(made.first)
            countyMade = first
            pushedLater = try village.household(in: TestCounty.village1, address: "二组")
            try await county.syncRounds([village, township], url: url)
            #expect(try village.view(enrollment, reveal: false).value("status") == "exited")
            #expect(try township.state(of: countyMade.record) != nil)
        }
        let hubWrote = try await county.hubOps(writer: county.hub.info.id)
        #expect(hubWrote.contains { $0.cause?.hasPrefix("rule R1") == true }, "the rule's decision is the hub's op")
        await storage.close()

        // The server is rebuilt: the dump is put back into a new database, and hub restore
        // makes the hub in it safe to go on.
        let rebuilt = try await server.freshDatabase()
        try await Self.run(server, "pg_restore", ["--no-owner"] + Self.connection(rebuilt) + [dump])
        let done = try await HubLedger.restore(
            postgres: rebuilt, keyPath: storage.keyPath, from: dump, worker: "admin", nowMillis: TestCounty.now + 1)
        #expect(done.retiredWriter == county.hub.info.id && done.writer != done.retiredWriter)
        #expect(done.nextPosition == done.logEnd + HubLedger.restoreGap + 1)
        let restored = try await TestCounty(restoring: rebuilt, keyPath: storage.keyPath, in: county)
        #expect(restored.hub.info.writer == done.writer, "the restored hub opens writing as its new writer")
        #expect(
            try await restored.hubState(of: countyMade.record) == nil, "the dump was taken before the county's edit")
        #expect(try await restored.hubState(of: pushedLater) == nil)
        try await withRunningHub(restored.service()) { url in
            let first = try await restored.sync(village, url: url)
            #expect(first.handedBack > 0, "the village handed back the hub's lost ops")
            try await restored.syncRounds([village, township], url: url)
            // The county's household is back under the dot it was made under.
            let back = try #require(try await restored.hubOps(record: countyMade.record).first)
            #expect(back.dot == countyMade.dot && back.hash == countyMade.hash)
            #expect(back.dot.replica == done.retiredWriter)
            #expect(try await restored.hubState(of: pushedLater) != nil)
            // The rule's decision is held once more: the enrollment is ended, the same everywhere.
            #expect(try await restored.hubText(enrollment, "status") == "exited")
            #expect(try await restored.hubText(enrollment, "exit_reason") == "death")
            #expect(try village.view(enrollment, reveal: false).value("status") == "exited")
            #expect(try township.view(enrollment, reveal: false).value("status") == "exited")
            // Every op a node holds, the hub holds under the same dot with the same hash; every
            // record a node holds is in the hub's state.
            var held: [Dot: String] = [:]
            for op in try await restored.hubAllOps() { held[op.dot] = op.hash }
            for node in [village!, township!] {
                for op in try node.allOps() { #expect(held[op.dot] == op.hash, "\(node.info.name) holds \(op.dot)") }
                for id in try node.recordIDs() {
                    #expect(try node.state(of: id) == (try await restored.hubState(of: id)), "\(id)")
                }
            }
            // No dot of the hub's own reused: what it wrote after the restore is under its new writer.
            let retiredAfter = try await restored.hubOps(writer: done.retiredWriter).filter {
                $0.dot.counter > done.retiredCounter
            }
            #expect(Set(retiredAfter.map(\.dot)).isSubset(of: Set(hubWrote.map(\.dot))))
            // Handed back once: a further sync sends nothing more.
            let again = try await restored.sync(village, url: url)
            #expect(again.handedBack == 0)
        }
    }
}

import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// What the hub's own tables guarantee when several hub processes share one database: each
/// test runs the same calls at once through two openings of the data (two SQLite connections
/// on one file, two pools of PostgreSQL connections on one database) and checks that exactly
/// one of the racing calls wins.
@Suite("Ledger storage conformance: several hub processes on one database")
struct LedgerProcessesConformanceTests {
    @Test("A nonce sent to two processes at once is accepted once", arguments: HubTablesBackend.all)
    func nonceRace(backend: HubTablesBackend) async throws {
        let county = try await Fixture(tables: backend)
        let node = try await county.register(try county.node(Fixture.villageA), name: "east")
        let processes = [try await county.tables, try await county.anotherProcess()]
        for round in 0..<20 {
            let nonce = String(format: "%016x", round)
            let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for attempt in 0..<8 {
                    let storage = processes[attempt % 2]
                    group.addTask {
                        try await storage.recordNonce(
                            nonce, from: node.replica, skewMillis: 0, nowMillis: 1_000 + Int64(round), forgetBefore: 0)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(accepted == 1, "round \(round): the nonce was accepted \(accepted) times")
        }
    }

    @Test("One token presented to two processes at once registers one node", arguments: HubTablesBackend.all)
    func registrationRace(backend: HubTablesBackend) async throws {
        let county = try await Fixture(tables: backend)
        let processes = [try await county.tables, try await county.anotherProcess()]
        for round in 0..<5 {
            let villages = try (0..<6).map { _ in try county.node(Fixture.villageA) }
            let token = StoredEnrollment(
                secretHash: "race-\(round)", name: "node-\(round)", scope: villages[0].info.scope,
                createdMillis: Fixture.start)
            try await processes[round % 2].addEnrollment(token)
            // Six replicas present the token at once, through both processes: one is registered,
            // the others are refused (not failed).
            let registered = try await withThrowingTaskGroup(of: ReplicaID?.self) { group in
                for (index, village) in villages.enumerated() {
                    let storage = processes[index % 2]
                    group.addTask {
                        do {
                            return try await storage.register(
                                NodeRegistration(
                                    secretHash: token.secretHash, replica: village.info.id,
                                    publicKey: village.info.publicKey, nowMillis: Fixture.start)
                            ).replica
                        } catch ReplicaError.refused { return nil }
                    }
                }
                var registered: [ReplicaID] = []
                for try await replica in group { if let replica { registered.append(replica) } }
                return registered
            }
            #expect(registered.count == 1, "round \(round): \(registered.count) nodes registered")
            let nodes = try await processes[1].nodes()
            #expect(nodes.count == round + 1)
            #expect(nodes.first { $0.name == token.name }?.replica == registered.first)
        }
    }

    @Test("Two processes adding a token under one name at once keep one", arguments: HubTablesBackend.all)
    func enrollmentRace(backend: HubTablesBackend) async throws {
        let county = try await Fixture(tables: backend)
        let processes = [try await county.tables, try await county.anotherProcess()]
        let scope = try ScopePrefix.parse(Fixture.villageA, field: "scope")
        let kept = try await withThrowingTaskGroup(of: Bool.self) { group in
            for attempt in 0..<8 {
                let storage = processes[attempt % 2]
                group.addTask {
                    do {
                        try await storage.addEnrollment(
                            StoredEnrollment(
                                secretHash: "token-\(attempt)", name: "west", scope: scope, createdMillis: Fixture.start
                            ))
                        return true
                    } catch ReplicaError.invalid { return false }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(kept == 1)
    }
}

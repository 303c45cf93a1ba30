import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore
import Testing

/// Two hub processes over one database (issue 16, point 3), on the embedded store and on
/// PostgreSQL: each `hub serve` has its own connections, caches and push line; only the
/// database is shared. The log's positions are taken inside the writing transaction, under
/// the write lock (SQLite's one writer; on PostgreSQL the log head's row lock), so a position
/// is never read before the ops under it commit: the cursor hole that sequences taken outside
/// the transaction would open cannot happen.
@Suite("Two hubs on one database: concurrent pushes and pulls through both miss nothing")
struct TwoHubsTests {
    @Test(
        "villages push and a township pulls, each through either hub, all at once: every node ends with its scope's every op, none stored twice",
        arguments: HubStoreKind.allCases)
    func concurrentThroughBoth(store: HubStoreKind) async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let county = try await TestCounty(store)
        // A second handle on the same database: its own connections, state cache and push line.
        let other = try await county.anotherHubProcess()
        try await withRunningHub(county.service()) { first in
            try await withRunningHub(county.service(other)) { second in
                let urls = [first, second]
                var villages: [(node: Replica, village: String)] = []
                for index in 1...4 {
                    let village = "42128110100\(index)"
                    villages.append(
                        (try await county.node(name: "v\(index)", scope: village, hubURL: urls[index % 2]), village))
                }
                let township = try await county.node(name: "town", scope: TestCounty.township, hubURL: first)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, entry) in villages.enumerated() {
                        group.addTask {
                            var generator = SplitMix64(seed: seed &+ UInt64(index))
                            for round in 0..<6 {
                                let home = try entry.node.household(in: entry.village, address: "\(round)组")
                                if generator.next() % 2 == 0 { try entry.node.edit(home) { $0.population = 3 } }
                                try await county.sync(entry.node, url: urls[Int(generator.next() % 2)])
                            }
                        }
                    }
                    group.addTask {
                        var generator = SplitMix64(seed: seed &+ 99)
                        for _ in 0..<8 { try await county.sync(township, url: urls[Int(generator.next() % 2)]) }
                    }
                    try await group.waitForAll()
                }
                // Quiet now: one more sync each, through the other hub than last time.
                for entry in villages { try await county.sync(entry.node, url: second) }
                try await county.sync(township, url: first)

                let made = try villages.reduce(0) { $0 + (try $1.node.ownOps().count) }
                let dots = try await county.hubDots()
                #expect(dots.count == made && Set(dots).count == made, "seed \(seed): every op once at the hub")
                #expect(try township.opCount() == made, "seed \(seed): the township holds every village's ops")
                for entry in villages { try await ConvergenceTests.expectSameAsHub(entry.node, county: county) }
                try await ConvergenceTests.expectSameAsHub(township, county: county)
                for entry in villages {
                    #expect(
                        try await county.hub.node(entry.node.info.id)?.ackedCounter
                            == entry.node.syncState().ownCounter, "seed \(seed)")
                }
            }
        }
    }
}

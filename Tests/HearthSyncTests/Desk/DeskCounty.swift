import Foundation
import HearthCore
import HearthDesk
import HearthHub
import HearthLedger
import HearthStore
import Synchronization
import Testing

/// A county for the desk's tests: the hub of ``TestCounty`` (its sync on the fixed clock), the
/// desk on a clock of its own that a test moves (sessions expire, lockouts lift, no sleeping),
/// accounts made as `hearth hub user add` makes them (bcrypt at its cheapest cost, for speed),
/// and conflicts made by two nodes' concurrent edits in two townships.
final class DeskCounty: Sendable {
    static let password = "correct-horse-battery"
    static let township2 = "421281102"
    static let village2of2 = "421281102001"

    let county: TestCounty
    /// The desk's clock, in Unix milliseconds.
    let deskNow = Atomic<Int64>(TestCounty.now)
    let throttle: LoginThrottle

    init(throttle: LoginThrottle = .standard) throws {
        county = try TestCounty()
        self.throttle = throttle
    }

    /// A desk over a county whose hub is kept in `store`.
    init(_ store: HubStoreKind, throttle: LoginThrottle = .standard) async throws {
        county = try await TestCounty(store)
        self.throttle = throttle
    }

    var hub: HubLedger { county.hub }

    /// The desk's configuration: its own clock, bcrypt's cheapest cost.
    var desk: DeskConfiguration {
        DeskConfiguration(
            bcryptCost: 4, throttle: throttle, clock: { [self] in self.nowMillis })
    }

    /// The hub's service over `ledger` (the open hub, or its database opened again).
    func service(_ ledger: HubLedger? = nil) -> HubService {
        HubService(ledger: ledger ?? hub, logger: county.logger, clock: TestCounty.clock, desk: desk)
    }

    /// Moves the desk's clock on.
    func advance(minutes: Int64) {
        deskNow.add(minutes * 60_000, ordering: .relaxed)
    }

    var nowMillis: Int64 { deskNow.load(ordering: .relaxed) }

    /// An account, as `hearth hub user add` makes one.
    func account(_ name: String, _ role: DeskRole, township: String? = nil) async throws {
        try await DeskAccounts(ledger: hub, cost: 4).add(
            name: name, role: role, township: township, password: Self.password, worker: "test", nowMillis: nowMillis)
    }

    /// Two conflicts on household incomes, one per township, each made by a township node and a
    /// village node editing the same household before either synced.
    struct Conflicts {
        let first: String
        let second: String
        let nodes: [Replica]
        /// A second township node of the first township that holds the first household as it
        /// was before the edits and has not synced since: its own edit competes anew.
        let late: Replica
    }

    func conflicts(url: String) async throws -> Conflicts {
        let town1 = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
        let village1 = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
        let town2 = try await county.node(name: "town-102", scope: Self.township2, hubURL: url)
        let village2 = try await county.node(name: "village-102-001", scope: Self.village2of2, hubURL: url)
        let late = try await county.node(name: "town-101-b", scope: TestCounty.township, hubURL: url)
        let nodes = [town1, village1, town2, village2]
        let home1 = try village1.household(in: TestCounty.village1, address: "新庄村三组 1 号")
        let home2 = try village2.household(in: Self.village2of2, address: "河西村一组 5 号")
        try await county.syncRounds(nodes + [late], url: url)
        try town1.edit(home1, author: "town-worker") { $0.income = "500" }
        try village1.edit(home1, author: "village-worker") { $0.income = "620" }
        try town2.edit(home2, author: "town-worker-2") { $0.income = "300" }
        try village2.edit(home2, author: "village-worker-2") { $0.income = "410" }
        try await county.syncRounds(nodes, url: url)
        let open = try await hub.conflicts().map(\.id)
        let first = "\(home1.value)/income"
        let second = "\(home2.value)/income"
        #expect(Set(open) == [first, second], "the two nodes' edits did not conflict at the hub: \(open)")
        return Conflicts(first: first, second: second, nodes: nodes, late: late)
    }

    /// Whether the hub still lists the conflict as open.
    func isOpen(_ id: String) async throws -> Bool {
        try await hub.conflicts().contains { $0.id == id }
    }
}

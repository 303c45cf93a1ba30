import HearthCore
import Testing

@testable import HearthStore

/// The cache trusts only the change version its storage supplies (issue 12, point 3): no
/// database is read here, so any backend that supplies a version gets the same guarantees.
@Suite("The state cache's validity comes from the backend's change version")
struct StateCacheVersionTests {
    let replica = ReplicaID(validating: "0123456789ab")!

    func state(_ counter: UInt64) -> RecordState {
        RecordState(id: RecordID(type: .household, creator: Dot(replica: replica, counter: counter)), clock: .empty)
    }

    @Test("states committed under the version read at the start are kept; a new version empties the cache")
    func versionMoves() {
        let cache = StateCache()
        let version = cache.validate(version: 7)
        cache.committed([state(1), state(2)], dataVersion: version)
        #expect(cache.state(of: state(1).id) == state(1))
        #expect(cache.validate(version: 7) == 7)
        #expect(cache.state(of: state(2).id) == state(2), "the same version: nobody else committed")
        cache.validate(version: 8)
        #expect(cache.state(of: state(1).id) == nil, "another connection committed: nothing cached is trusted")
        #expect(cache.state(of: state(2).id) == nil)
    }

    @Test("states from a transaction that began under an older version are not kept")
    func staleCommitIgnored() {
        let cache = StateCache()
        let old = cache.validate(version: 3)
        cache.validate(version: 4)
        cache.committed([state(1)], dataVersion: old)
        #expect(cache.state(of: state(1).id) == nil)
        cache.committed([state(1)], dataVersion: 4)
        #expect(cache.state(of: state(1).id) == state(1))
    }

    @Test("past its capacity the cache starts again rather than grow")
    func capacity() {
        let cache = StateCache(capacity: 2)
        cache.validate(version: 1)
        cache.committed([state(1), state(2)], dataVersion: 1)
        cache.committed([state(3)], dataVersion: 1)
        #expect(cache.state(of: state(1).id) == nil)
        #expect(cache.state(of: state(3).id) == state(3))
    }
}

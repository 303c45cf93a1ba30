import Foundation
import HearthCore
import Synchronization

/// A snapshot's staged states decoded for its install, split over the machine's cores.
///
/// Decoding is a fifth of a 10,000-record township's install (`hearth bench bootstrap`), and
/// each state decodes alone, so the install, which holds the write transaction meanwhile,
/// waits for the slowest part instead of the sum. Too few states to be worth a thread are
/// decoded where they are.
enum StagedStates {
    /// States fewer than this a part are decoded on the calling thread.
    static let minimumPart = 2_000

    /// Each staged state decoded from its stored bytes, in the order given; the first that
    /// does not decode fails the whole.
    static func decode(_ staged: [(RecordID, [UInt8])]) throws -> [(RecordState, [UInt8])] {
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, staged.count / minimumPart)
        guard parts > 1 else { return try staged.map { (try decode($0.0, $0.1), $0.1) } }
        let size = (staged.count + parts - 1) / parts
        let results = Mutex<[Int: Result<[(RecordState, [UInt8])], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let slice = staged[min(part * size, staged.count)..<min((part + 1) * size, staged.count)]
            let result = Result { try slice.map { (try decode($0.0, $0.1), $0.1) } }
            results.withLock { $0[part] = result }
        }
        let decoded = results.withLock { $0 }
        var states: [(RecordState, [UInt8])] = []
        states.reserveCapacity(staged.count)
        for part in 0..<parts {
            guard let result = decoded[part] else {
                throw ReplicaError.database("a part of the snapshot's states was not decoded")
            }
            states += try result.get()
        }
        return states
    }

    private static func decode(_ id: RecordID, _ bytes: [UInt8]) throws -> RecordState {
        try StoredState.decode(id, .blob(bytes))
    }
}

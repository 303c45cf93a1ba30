import Dispatch
import Foundation
import HearthCore

/// Sealed values opened at most once each, for one read that meets the same value many times
/// (a roll opens a household's card for each of its members' lines, the bank roll a payee's
/// ID number for each of the household's programs): opening decrypts and re-hashes, which a
/// dictionary lookup does not. Kept for one read, never stored: it holds clear text and keys.
package struct OpenedValues {
    private let keys: KeyMaterial
    private let opener: SealedOpener
    /// What it was given: read, never changed (so never copied).
    private let known: [Key: String?]
    /// What was opened beyond what it was given, nil where the key could not open the value:
    /// handed to a later read of the same data (``Payroll/opened``, which the bank roll starts from).
    package private(set) var opened: [Key: String?] = [:]

    /// A sealed value as a key: hashed by its digest alone (under one key the same text seals
    /// to the same box), compared whole.
    package struct Key: Hashable, Sendable {
        let sealed: SealedValue

        package func hash(into hasher: inout Hasher) { hasher.combine(sealed.digest) }
    }

    /// Starting from values already opened under the same key.
    package init(keys: KeyMaterial, known: [Key: String?] = [:]) {
        self.keys = keys
        opener = keys.opener()
        self.known = known
    }

    /// Opens these values (those not opened yet, each once) on every core at once, so that
    /// ``open(_:)`` then finds them. A roll knows up front which ID and card numbers its lines
    /// need: opening decrypts and re-hashes each, the largest share of a county's roll after
    /// reading its book, and the values are independent of each other.
    package mutating func openAll(_ values: [SealedValue]) {
        var wanted: [SealedValue] = []
        var seen = Set<Key>(minimumCapacity: values.count)
        for value in values {
            let key = Key(sealed: value)
            guard known[key] == nil, opened[key] == nil, seen.insert(key).inserted else { continue }
            wanted.append(value)
        }
        guard !wanted.isEmpty else { return }
        // A thousand values or more per thread: fewer are not worth a thread.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, wanted.count / 1000))
        let chunk = (wanted.count + workers - 1) / workers
        let keys = self.keys
        var clear = [String?](repeating: nil, count: wanted.count)
        clear.withUnsafeMutableBufferPointer { clear in
            let results = OpenedSlots(clear)
            let values = wanted
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // An opener per thread: swift-crypto's keys are not shared between threads.
                let opener = keys.opener()
                for index in (worker * chunk)..<min(values.count, (worker + 1) * chunk) {
                    results.store(opener.open(values[index]), at: index)
                }
            }
        }
        opened.reserveCapacity(opened.count + wanted.count)
        for index in wanted.indices { opened[Key(sealed: wanted[index])] = .some(clear[index]) }
    }

    /// The clear text, or nil when this key cannot open the value.
    package mutating func open(_ sealed: SealedValue) -> String? {
        let key = Key(sealed: sealed)
        if let given = known[key] { return given }
        if let earlier = opened[key] { return earlier }
        let clear = opener.open(sealed)
        opened[key] = .some(clear)
        return clear
    }
}

/// The slots ``OpenedValues/openAll(_:)``'s threads write their results into: each thread
/// writes its own range of indices only, and the buffer outlives them.
private struct OpenedSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<String?>

    init(_ buffer: UnsafeMutableBufferPointer<String?>) { self.buffer = buffer }

    func store(_ value: String?, at index: Int) { buffer[index] = value }
}

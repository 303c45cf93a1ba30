import Foundation
import HearthCore
import Synchronization

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
    ///
    /// Only the digest's first 16 hex digits are hashed: a keyed hash's 64 bits spread keys as
    /// well as all 256 do, and a roll hashes each of its hundred thousand values half a dozen
    /// times (hashing the whole text was a sixth of opening them ahead).
    package struct Key: Hashable, Sendable {
        let sealed: SealedValue

        package func hash(into hasher: inout Hasher) {
            let prefix = sealed.digest.utf8.withContiguousStorageIfAvailable { digits -> (UInt64, UInt64)? in
                guard digits.count >= 16 else { return nil }
                let bytes = UnsafeRawBufferPointer(digits)
                return (bytes.loadUnaligned(as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            }
            if let prefix = prefix ?? nil {
                hasher.combine(prefix.0)
                hasher.combine(prefix.1)
            } else {
                hasher.combine(sealed.digest)
            }
        }
    }

    /// Starting from values already opened under the same key.
    package init(keys: KeyMaterial, known: [Key: String?] = [:]) {
        self.keys = keys
        opener = keys.opener()
        self.known = known
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

    /// Opens these values ahead of their ``open(_:)``, split over the machine's cores, each
    /// part with an opener of its own: an opening decrypts and re-hashes, and a county's roll
    /// opens a hundred thousand ID numbers and cards. Too few to be worth a thread are left to
    /// be opened when asked for.
    package mutating func openAhead(_ values: [SealedValue]) {
        var wanted: [SealedValue] = []
        wanted.reserveCapacity(values.count)
        var seen: Set<Key> = []
        seen.reserveCapacity(values.count)
        for value in values {
            let key = Key(sealed: value)
            guard known[key] == nil, opened[key] == nil, seen.insert(key).inserted else { continue }
            wanted.append(value)
        }
        let parts = min(ProcessInfo.processInfo.activeProcessorCount, wanted.count / 2_000)
        guard parts > 1 else { return }
        let keys = keys
        let values = wanted
        let results = Mutex<[[Key: String?]]>([])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let opener = keys.opener()
            var clear: [Key: String?] = [:]
            clear.reserveCapacity(values.count / parts + 1)
            for index in stride(from: part, to: values.count, by: parts) {
                clear[Key(sealed: values[index])] = .some(opener.open(values[index]))
            }
            results.withLock { $0.append(clear) }
        }
        opened.reserveCapacity(opened.count + wanted.count)
        for part in results.withLock({ $0 }) { opened.merge(part) { earlier, _ in earlier } }
    }
}

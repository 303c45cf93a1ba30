import HearthCore

/// Sealed values opened at most once each, for one read that meets the same value many times
/// (a roll opens a household's card for each of its members' lines, the bank roll a payee's
/// ID number for each of the household's programs): opening decrypts and re-hashes, which a
/// dictionary lookup does not. Kept for one read, never stored: it holds clear text and keys.
package struct OpenedValues {
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
}

import HearthCore

/// Sealed values opened at most once each, for one read that meets the same value many times
/// (a roll opens a household's card for each of its members' lines, the bank roll a payee's
/// ID number for each of the household's programs): opening decrypts and re-hashes, which a
/// dictionary lookup does not. Kept for one read, never stored: it holds clear text and keys.
package struct OpenedValues {
    private let opener: SealedOpener
    /// What was opened, nil where the key could not open the value: handed to a later read
    /// of the same data (``Payroll/opened``, which the bank roll starts from).
    package private(set) var opened: [SealedValue: String?]

    /// Starting from values already opened under the same key.
    package init(keys: KeyMaterial, known: [SealedValue: String?] = [:]) {
        opener = keys.opener()
        opened = known
    }

    /// The clear text, or nil when this key cannot open the value.
    package mutating func open(_ sealed: SealedValue) -> String? {
        if let known = opened[sealed] { return known }
        let clear = opener.open(sealed)
        opened[sealed] = .some(clear)
        return clear
    }
}

import HearthCore

/// What the hub answers a node asking for the county's duplicate index (Protocol/sync.md,
/// "Duplicate index"): nothing when the node holds the current version, the prefixes changed
/// since the node's version when it can take them, the whole index otherwise.
///
/// Why a delta: a county of 380,000 fills nearly all 16,384 prefixes, and during a night the
/// index changes after a push; sending it whole to every village whenever it changed made the
/// bytes per op grow with the number of villages.
public enum DuplicateIndexAnswer: Sendable, Equatable {
    case unchanged(version: String)
    /// The prefixes (14-bit, ascending) that gained their first live ID number since the
    /// node's version, and those that lost their last. A prefix the hub cannot tell was absent
    /// then may be among the added (adding it again changes nothing), one it cannot tell was
    /// present among the removed; a prefix it knows did not change is in neither.
    case delta(version: String, added: [Int], removed: [Int])
    /// The whole index: every prefix some live ID number has, ascending.
    case full(version: String, prefixes: [Int])

    public var version: String {
        switch self {
        case .unchanged(let version), .delta(let version, _, _), .full(let version, _): return version
        }
    }

    /// The version text of index version `number`: `d<number>`.
    public static func versionText(_ number: Int64) -> String { "d\(number)" }

    /// The number a version text names; nil for any other text (an older hub's hash, "").
    public static func versionNumber(_ text: String) -> Int64? {
        guard text.hasPrefix("d"), let number = Int64(text.dropFirst()), number >= 0 else { return nil }
        return number
    }
}

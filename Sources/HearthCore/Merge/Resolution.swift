/// What a field reads as after the merge: the value to show, and whether people must decide.
public struct Resolution: Hashable, Sendable {
    /// The deterministic display value (for a field in conflict, the latest by HLC).
    public let value: FieldValue
    /// True when the policy could not settle the concurrent values (`human`, or an
    /// `authority` tie): the record is in conflict and what depends on the field is held.
    public let inConflict: Bool
    /// Every concurrent value, winner first; more than one means the field was written
    /// concurrently, whether or not the policy settled it.
    public let candidates: [RegisterEntry]

    /// Decides one field by its policy. Pure: the same register gives the same answer on
    /// every replica, whatever order its ops arrived in.
    public static func resolve(_ register: Register, policy: FieldPolicy) -> Resolution {
        // Most fields hold one value: nothing to order, whatever the policy.
        if register.entries.count == 1 {
            return Resolution(value: register.entries[0].value, inConflict: false, candidates: register.entries)
        }
        let byRecency = register.entries.sorted { RegisterEntry.lwwPrecedes($1, $0) }
        guard let newest = byRecency.first else {
            return Resolution(value: .null, inConflict: false, candidates: [])
        }
        if byRecency.count == 1 {
            return Resolution(value: newest.value, inConflict: false, candidates: byRecency)
        }
        switch policy {
        case .lww:
            return Resolution(value: newest.value, inConflict: false, candidates: byRecency)
        case .priority(let order):
            func rank(_ entry: RegisterEntry) -> Int {
                if case .text(let text) = entry.value, let index = order.firstIndex(of: text) { return index }
                return order.count
            }
            let ordered = byRecency.enumerated().sorted {
                (rank($0.element), $0.offset) < (rank($1.element), $1.offset)
            }
            .map(\.element)
            return Resolution(value: ordered[0].value, inConflict: false, candidates: ordered)
        case .authority:
            let top = byRecency.map(\.rank).max()!
            let ordered = byRecency.enumerated().sorted {
                ($0.element.rank > $1.element.rank) || ($0.element.rank == $1.element.rank && $0.offset < $1.offset)
            }.map(\.element)
            let topValues = ordered.filter { $0.rank == top }
            let tie = topValues.contains { !$0.value.sameMeaning(as: topValues[0].value) }
            return Resolution(value: ordered[0].value, inConflict: tie, candidates: ordered)
        case .union:
            var members: [String] = []
            for entry in byRecency {
                switch entry.value {
                case .set(let items): members += items
                case .text(let text): members.append(text)
                default: break
                }
            }
            return Resolution(value: FieldValue.makeSet(members), inConflict: false, candidates: byRecency)
        case .human:
            let differ = byRecency.contains { !$0.value.sameMeaning(as: newest.value) }
            return Resolution(value: newest.value, inConflict: differ, candidates: byRecency)
        }
    }
}

import HearthStore

/// What `hearth find --json` prints: the households and members found, in id order, and
/// whether more matched than `--limit`. Never an ID number, even when one was searched.
struct FindDocument: Codable, Sendable, Equatable {
    struct Hit: Codable, Sendable, Equatable {
        /// household or member.
        let kind: String
        let id: String
        /// The member's name, or the name of the household's head.
        @Nullable var name: String?
        @Nullable var village: String?
        /// The member's household.
        @Nullable var household: String?
        @Nullable var address: String?
        @Nullable var phone: String?
        /// alive / deceased for a member, active / archived for a household.
        @Nullable var status: String?

        init(_ hit: SearchHit) {
            kind = hit.id.type.rawValue
            id = hit.id.value
            name = hit.name
            village = hit.village
            household = hit.household?.value
            address = hit.address
            phone = hit.phone
            status = hit.status
        }
    }

    let hits: [Hit]
    /// More records matched than the limit: narrow the text or raise `--limit`.
    let more: Bool
    /// The text was an ID number, matched by its keyed hash.
    let byIDNumber: Bool

    enum CodingKeys: String, CodingKey {
        case hits, more
        case byIDNumber = "by_id_number"
    }

    init(_ result: SearchResult) {
        hits = result.hits.map(Hit.init)
        more = result.more
        byIDNumber = result.byIDNumber
    }
}

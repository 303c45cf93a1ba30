import HearthStore

/// A name of a place as `hub division list --json` and `divisions --json` print it.
struct DivisionDocument: Codable, Sendable, Equatable {
    let id: String
    /// The township's 9 or the village's 12 digits.
    let code: String
    /// `township` or `village`.
    let level: String
    let name: String
    @Nullable var note: String?

    init(_ entry: DivisionEntry) {
        id = entry.id.value
        code = entry.code
        level = entry.code.count == 9 ? "township" : "village"
        name = entry.name
        note = entry.note
    }
}

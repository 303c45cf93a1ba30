import HearthStore

/// A program standard (保障标准) as `hub standard list --json` and `standards --json` print it.
struct StandardDocument: Codable, Sendable, Equatable {
    let id: String
    let program: String
    /// Null for a program paid without bands.
    @Nullable var band: String?
    /// The first month it is in force, YYYY-MM.
    let from: String
    /// Per person per month.
    let amountYuan: String
    @Nullable var note: String?

    enum CodingKeys: String, CodingKey {
        case id, program, band, from
        case amountYuan = "amount_yuan"
        case note
    }

    init(_ entry: StandardEntry) {
        id = entry.id.value
        program = entry.standard.program.rawValue
        band = entry.standard.band.isEmpty ? nil : entry.standard.band
        from = entry.standard.from.description
        amountYuan = entry.standard.amount.yuanText
        note = entry.note
    }
}

/// One county setting as `hub setting list --json` and `settings --json` print it, under the
/// setting's name: its value, and whether that is the default (no record sets it).
struct SettingDocument: Codable, Sendable, Equatable {
    let value: String
    let `default`: Bool
    /// The setting's record; null for a default.
    @Nullable var id: String?
    @Nullable var note: String?
}

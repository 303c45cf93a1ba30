import HearthCore
import HearthText
import Testing

/// Causes Hearth writes in fixed forms are shown in Chinese; English readers and causes a person
/// wrote see them exactly as stored.
@Suite("An op's cause in the reader's language")
struct CauseTextTests {
    static let written = [
        "resolution of amount (rule R4b, rule set 1): 按2026年提标标准",
        "acknowledgement of phone (rule R4a, rule set 1): 已核实",
        "rule R1 (rule set 1): death of M-eb22bac42717-5 ends the enrollment (trigger eb22bac42717:11)",
        "rule R1 (rule set 1): the end month follows the settled date of death of M-eb22bac42717-5",
        "death of M-eb22bac42717-5",
        "end month follows the settled date of death of M-eb22bac42717-5",
        "division 421281101002: 河湾村",
        "roster import: 花名册.xlsx line 12",
        "cross-check against the death list, line 7",
        "death reported by a cross-check (lead L-22ad2f7d2bb0-9): suspended pending verification",
        "death report refuted (lead L-22ad2f7d2bb0-9): payments resume",
        "lead confirmed by w-7",
        "household moved to 421281101002",
        "member moved to H-eb22bac42717-1",
        "moved from H-eb22bac42717-1 to H-eb22bac42717-9",
        "archived: 全户迁出",
        "recommendation by w-7 (R7)",
        "amount change: 提标",
    ]

    @Test("every fixed form Hearth writes is shown without an English word but ids, rule and worker names")
    func fixedFormsInChinese() {
        for cause in Self.written {
            let shown = CauseText.localized(cause, in: .zh)
            #expect(shown != cause, "\(cause)")
            var rest = shown
            for pattern in [
                #"[A-Z]-[0-9a-f]{12}-[0-9]+"#, #"[0-9a-f]{12}:[0-9]+"#, #"R[0-9]+[a-z]?"#, #"w-[0-9]+"#,
                #"\.(xlsx|csv)"#,
            ] {
                rest = rest.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
            }
            #expect(!rest.contains { $0.isASCII && $0.isLetter }, "\(cause) → \(shown)")
        }
        #expect(CauseText.localized(Self.written[0], in: .zh).contains("金额"))
        #expect(CauseText.localized("cross-check against the death list, line 7", in: .zh).contains("死亡"))
    }

    @Test("in English, and for a cause of no fixed form, the cause is shown as stored")
    func unchanged() {
        for cause in Self.written { #expect(CauseText.localized(cause, in: .en) == cause) }
        #expect(CauseText.localized("县里复核后调整", in: .zh) == "县里复核后调整")
        #expect(CauseText.localized("fixed by hand", in: .zh) == "fixed by hand")
    }
}

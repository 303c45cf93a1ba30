import ArgumentParser
import Foundation
import HearthText

/// The words ArgumentParser writes itself (section titles, its own errors, `--help`'s line) in
/// the process's language.
///
/// Why a rewrite of its text: ArgumentParser has no hook for its own words, and a clerk reading
/// Chinese help should not meet `USAGE:` and `Missing expected argument`. Each fragment
/// ArgumentParser writes is a catalogue entry (`parser.*`): its English entry is the fragment
/// exactly as ArgumentParser writes it, its Chinese entry what replaces it. English text is left
/// as it is.
enum HelpLanguage {
    /// The `parser.*` keys, longest English fragment first so a fragment that contains another
    /// is replaced whole.
    static let keys: [String] = Catalogue.entries(.en).keys.filter { $0.hasPrefix("parser.") }
        .sorted { (Catalogue.entries(.en)[$0]?.count ?? 0) > (Catalogue.entries(.en)[$1]?.count ?? 0) }

    /// ArgumentParser's `text` in `language`; in Chinese, long lines are wrapped again by display
    /// width (ArgumentParser counts a Chinese character as one column and breaks only at spaces).
    static func localized(_ text: String, in language: Language, columns: Int) -> String {
        guard language != .en else { return text }
        var out = text
        for key in keys {
            guard let english = Catalogue.entries(.en)[key], let translated = Catalogue.entries(language)[key] else {
                continue
            }
            out = out.replacingOccurrences(of: english, with: translated)
        }
        // ArgumentParser closes its default's parenthesis itself: close it as the opening one.
        if let opening = Catalogue.entries(language)["parser.default"], opening.hasPrefix("（") {
            out = out.replacingOccurrences(
                of: " ?(" + NSRegularExpression.escapedPattern(for: opening) + #"[^)\n]*)\)"#, with: "$1）",
                options: .regularExpression)
        }
        return TerminalWrap.wrap(out, columns: columns)
    }
}

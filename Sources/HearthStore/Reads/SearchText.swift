/// How a searched text and an indexed one are compared: the same normalization on both
/// sides, so 138-0000 1111 finds 13800001111 and "Wang" finds "wang".
///
/// It does only what SQLite can do inside the triggers that keep the index (v21,
/// ``Migrations/searchIndexSchema()``): remove spaces (ASCII and ideographic) and hyphens, and
/// lower ASCII letters. Pieces are counted in Unicode scalars, as SQLite's `substr` and
/// `length` count characters.
package enum SearchText {
    /// Removed before comparing.
    static let removed: [String] = [" ", "-", "\u{3000}"]
    /// The longest text the triggers cut into pieces: an address (200 characters).
    static let maxLength = 200

    /// The text as the index holds it.
    package static func normalized(_ text: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if scalar == " " || scalar == "-" || scalar == "\u{3000}" { continue }
            if scalar.isASCII, ("A"..."Z").contains(scalar) {
                scalars.append(Unicode.Scalar(scalar.value + 32)!)
            } else {
                scalars.append(scalar)
            }
        }
        return scalars
    }

    /// The distinct two-character pieces of a normalized text, in order of first appearance.
    package static func grams(_ scalars: [Unicode.Scalar]) -> [String] {
        guard scalars.count >= 2 else { return [] }
        var seen: Set<String> = []
        var grams: [String] = []
        for index in 0..<(min(scalars.count, maxLength) - 1) {
            var gram = String.UnicodeScalarView()
            gram.append(scalars[index])
            gram.append(scalars[index + 1])
            let text = String(gram)
            if seen.insert(text).inserted { grams.append(text) }
        }
        return grams
    }

    /// Whether `text` holds `query` (both normalized) as one run.
    package static func contains(_ text: String?, _ query: [Unicode.Scalar]) -> Bool {
        guard let text else { return false }
        let haystack = normalized(text)
        guard haystack.count >= query.count else { return false }
        for start in 0...(haystack.count - query.count)
        where haystack[start..<(start + query.count)].elementsEqual(query) {
            return true
        }
        return false
    }
}

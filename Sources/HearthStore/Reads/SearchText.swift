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

    /// The one piece a phone number is indexed by: its last four digits, as the pair of a
    /// marker and one scalar for the four digits' value (``tailMarker``, ``tailBase``). Nil for
    /// a phone that does not end in four ASCII digits (only a value written past the phone's
    /// parser), which is indexed by its two-character pieces as any text is.
    ///
    /// Why not every two-character piece, as names and addresses are: a number has only 100
    /// digit pairs, so each pair is held by about a tenth of the county's phones. A search for a
    /// number walked that tenth, and every phone change rewrote some eighteen entries of the
    /// index where it now rewrites two (a quarter of the merge's time went to those writes).
    /// A clerk looks a phone up by the whole number or by its last digits (尾号), which the
    /// tail finds; a run from the middle of a number no longer does.
    package static func phoneTail(_ scalars: [Unicode.Scalar]) -> UInt64? {
        guard scalars.count >= tailDigits else { return nil }
        var value: UInt32 = 0
        for scalar in scalars[(scalars.count - tailDigits)...] {
            guard ("0"..."9").contains(scalar) else { return nil }
            value = value * 10 + scalar.value - 48
        }
        return SearchIndex.gramKey(tailMarker, Unicode.Scalar(tailBase + value)!)
    }

    /// How many of a phone's last digits its piece holds, and the fewest a phone search gives.
    package static let tailDigits = 4

    /// The first scalar of a phone's piece: a private-use scalar, which a clerk's name or address
    /// does not hold. A text that held it would share pieces with phones, which costs its search
    /// a lookup per phone walked, never a wrong answer: each record found is checked by its text.
    static let tailMarker: Unicode.Scalar = "\u{F8FF}"
    /// The second scalar of a phone's piece is this plus the four digits' value: private-use
    /// plane 15 (U+F0000 to U+F270F).
    static let tailBase: UInt32 = 0xF0000

    /// Whether the searched text is a phone number or the end of one: four digits or more,
    /// after an optional "+".
    package static func isPhoneQuery(_ query: [Unicode.Scalar]) -> Bool {
        let digits = query.first == "+" ? query.dropFirst() : query[...]
        return digits.count >= tailDigits && digits.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Whether a phone is found by `query` (both normalized): it ends with the query, four
    /// characters or more. A phone that does not end in four digits (``phoneTail(_:)``) is
    /// found by any run of it, as any text is.
    package static func phoneMatches(_ phone: String?, _ query: [Unicode.Scalar]) -> Bool {
        guard let phone else { return false }
        let scalars = normalized(phone)
        guard phoneTail(scalars) != nil else { return contains(phone, query) }
        return query.count >= tailDigits && scalars.count >= query.count
            && scalars[(scalars.count - query.count)...].elementsEqual(query)
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

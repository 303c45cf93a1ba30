/// Text clean-up shared by the value parsers (width folding, trimming, digit checks).
///
/// Input arrives from Chinese input methods, spreadsheets and chat apps, so it carries
/// full-width digits, ideographic spaces and invisible characters that must not make
/// an otherwise correct value fail.
enum ValueText {
    /// Folds full-width ASCII variants (U+FF01...U+FF5E) to ASCII and U+3000 to a space.
    static func widthFolded(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0xFF01...0xFF5E:
            return Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar
        case 0x3000:
            return " "
        default:
            return scalar
        }
    }

    /// Zero-width characters and byte-order marks that copy and paste leaves behind.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200D, 0x2060, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// Hyphens and dashes people put between digit groups (after width folding).
    static func isHyphen(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2010...0x2015, 0x2212, 0xFE63:
            return true
        default:
            return false
        }
    }

    /// Whitespace or an invisible character.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || isInvisible(scalar)
    }

    /// Folds widths and trims blanks (including U+3000) at both ends; inner text is kept.
    static func cleaned(_ raw: String) -> String {
        // Visible ASCII only (what every stored value is): nothing to fold or trim.
        if raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return raw }
        var scalars = raw.unicodeScalars.map(widthFolded)
        while let last = scalars.last, isBlank(last) {
            scalars.removeLast()
        }
        let start = scalars.firstIndex { !isBlank($0) } ?? scalars.endIndex
        return string(scalars[start...])
    }

    /// Folds widths and drops every blank and every scalar matching `drop`.
    static func compacted(_ raw: String, dropping drop: (Unicode.Scalar) -> Bool) -> String {
        string(raw.unicodeScalars.map(widthFolded).filter { !isBlank($0) && !drop($0) })
    }

    static func string<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    static func isASCIIDigit(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii >= 0x30 && ascii <= 0x39
    }

    /// True when `text` is non-empty and made only of ASCII digits.
    static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The years a typed month or date may name (`Month.parse`, `CivilDate.parse`).
    static let years = 1900...2200

    /// The value of a short run of ASCII digits, or nil.
    static func number(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var result = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            result = result * 10 + Int(byte - 0x30)
        }
        return result
    }

    /// True for text shaped like a spreadsheet's scientific notation, e.g. "4.21281E+17".
    static func looksLikeExponent(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digitRun() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                index += 1
            }
            return index - start
        }
        guard digitRun() > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
            index += 1
            guard digitRun() > 0 else { return false }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "E") || bytes[index] == UInt8(ascii: "e") else {
            return false
        }
        index += 1
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            index += 1
        }
        return digitRun() > 0 && index == bytes.count
    }

    /// Zero-pads a non-negative number to `width` digits.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

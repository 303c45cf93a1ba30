import Foundation

/// Text on its way to an administrator's terminal.
///
/// Values printed by the CLI come from every replica of the county (names, addresses, notes, the
/// reasons of refused ops, node names). A value holding a line break, a carriage return, an escape
/// sequence or a bidirectional override could forge a line on the screen: a fake "applied", a
/// reason that reads backwards, a cleared line. The hub refuses such characters in ops, but a
/// replica may hold older ones, so whatever the CLI prints passes through here and such characters
/// are shown as visible escapes (`\u{202E}`) instead of acting on the terminal.
///
/// Every `print` in this module goes through ``print(_:separator:terminator:)`` below, so a new
/// command cannot forget it; JSON output is escaped the JSON way by ``jsonEscaped(_:)``.
enum ScreenText {
    /// Whether a character must not reach a terminal as it is: C0 and C1 controls (line breaks,
    /// tab, escape, the 8-bit CSI), DEL, the Unicode line and paragraph separators, and the
    /// bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E/F,
    /// U+202A–U+202E, U+2066–U+2069).
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Whether a byte of UTF-8 may belong to an unsafe character (``isUnsafe(_:)``): the C0
    /// controls and DEL themselves, and the lead bytes of the others (0xC2 for U+0080–U+009F,
    /// 0xD8 for U+061C, 0xE2 for U+2000–U+2FFF). A text with none of these bytes holds no
    /// unsafe character and need not be scanned by character.
    static func mayBeginUnsafe(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xD8 || byte == 0xE2
    }

    /// The text with every unsafe character written as a visible `\u{…}` escape.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// A JSON text with every unsafe character left in it (the encoder escapes C0 controls, not
    /// DEL, C1 or the bidirectional controls) written as a `\uXXXX` escape: the same JSON value,
    /// harmless on a terminal. Such characters occur only inside strings, where the escape is valid.
    static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isUnsafe) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if isUnsafe(scalar) {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}

/// The CLI's `print`: Swift's, with every item passed through ``ScreenText/escaped(_:)``.
///
/// It shadows `Swift.print` inside this module on purpose, so that no line a command prints can
/// carry a raw control character from a record. Each call prints one line; a command that wants
/// several lines calls it several times.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { ScreenText.escaped(String(describing: $0)) }.joined(separator: separator)
    Swift.print(text, terminator: terminator)
}

/// Characters that must never be stored in a text field, whoever wrote it.
///
/// A value reaches an administrator's terminal (`show`, `log`, the quarantine list) and a
/// clerk's spreadsheet. Control characters (a carriage return, an escape sequence) and
/// Unicode's bidirectional overrides and isolates can make a value print as something it is
/// not, forge a line on the screen or reorder a roll line. The CLI refuses them when they are
/// typed and the hub refuses ops that carry them, with this one test.
public enum DisplaySafety {
    /// Whether `scalar` is a control character (C0, DEL, C1) or a bidirectional formatting
    /// character (LRM/RLM, ALM, the embeddings and overrides U+202A–U+202E, the isolates
    /// U+2066–U+2069).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// Whether the text holds any unsafe character.
    public static func isUnsafe(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isUnsafe)
    }
}

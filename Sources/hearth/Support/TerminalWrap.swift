import Foundation

/// Lines fitted to the terminal by display width: a Chinese character takes two columns, and a
/// line may break between two Chinese characters as well as at a space.
///
/// Why: ArgumentParser wraps help at spaces and counts characters, so a Chinese sentence (no
/// spaces) overflows the terminal and is cut mid-word, without the indent of its column.
enum TerminalWrap {
    /// A width no help line reaches: what ArgumentParser is given when TerminalWrap wraps instead.
    static let unwrapped = 10_000

    /// The terminal's width: `COLUMNS`, else the width of standard output's terminal, else 80.
    static var columns: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 20 {
            return value
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { return Int(size.ws_col) }
        return 80
    }

    /// Every line of `text` that is wider than `columns`, broken into lines that fit; the
    /// continuation lines are indented to where the line's text begins (after an option's name
    /// in help, after the leading blanks otherwise).
    static func wrap(_ text: String, columns: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { wrapLine(String($0), columns: columns) }
            .joined(separator: "\n")
    }

    static func wrapLine(_ line: String, columns: Int) -> String {
        guard Output.width(line) > columns else { return line }
        let characters = Array(line)
        let indent = String(repeating: " ", count: min(bodyColumn(characters), columns / 2))
        var lines: [String] = []
        var current = ""
        var currentWidth = 0
        var index = 0
        while index < characters.count {
            var unit = nextUnit(characters, &index)
            // Opening punctuation stays with what it opens.
            while let last = unit.last, isOpening(last), index < characters.count, characters[index] != " " {
                unit += nextUnit(characters, &index)
            }
            let unitWidth = Output.width(unit)
            if currentWidth + unitWidth > columns, !current.trimmingCharacters(in: .whitespaces).isEmpty {
                lines.append(trailingTrimmed(current))
                current = indent
                currentWidth = indent.count
                if unit == " " { continue }
            }
            current += unit
            currentWidth += unitWidth
        }
        lines.append(trailingTrimmed(current))
        return lines.joined(separator: "\n")
    }

    /// The unit of text at `index`, which a line never breaks inside: a command in backquotes
    /// (`hearth node export`), a run of non-blank, non-Chinese characters (a word, an option),
    /// one Chinese character, or one blank; with the closing punctuation that follows it.
    static func nextUnit(_ characters: [Character], _ index: inout Int) -> String {
        var unit = String(characters[index])
        index += 1
        if characters[index - 1] == "`", let close = characters[index...].firstIndex(of: "`") {
            unit.append(contentsOf: characters[index...close])
            index = close + 1
        } else if !isWide(characters[index - 1]) && characters[index - 1] != " " && !isOpening(characters[index - 1]) {
            while index < characters.count, characters[index] != " ", !isWide(characters[index]) {
                unit.append(characters[index])
                index += 1
            }
        }
        while index < characters.count, isClosing(characters[index]) {
            unit.append(characters[index])
            index += 1
        }
        return unit
    }

    /// Where the text of a help line begins: for an item of a list (an option, an argument, a
    /// subcommand: `  --name <value>   text`, indented, a run of blanks after its name), after
    /// that run of blanks; after the leading blanks otherwise.
    static func bodyColumn(_ characters: [Character]) -> Int {
        let leading = characters.prefix { $0 == " " }.count
        guard leading > 0, leading < characters.count else { return leading }
        var index = leading
        while index + 1 < characters.count {
            if characters[index] == " ", characters[index + 1] == " " {
                var body = index
                while body < characters.count, characters[body] == " " { body += 1 }
                return body < characters.count ? Output.width(String(characters[..<body])) : leading
            }
            index += 1
        }
        // A name as wide as ArgumentParser's column of names is followed by a single blank.
        if leading == 2, characters.count > labelColumn, characters[labelColumn - 1] == " " { return labelColumn }
        return leading
    }

    /// The column where ArgumentParser begins the text of an option, argument or subcommand.
    static let labelColumn = 26

    static func isWide(_ character: Character) -> Bool {
        character.unicodeScalars.first.map { $0.value >= 0x1100 && $0.value <= 0xFFEF } ?? false
    }

    static func isOpening(_ character: Character) -> Bool {
        "（「『《“‘(".contains(character)
    }

    static func isClosing(_ character: Character) -> Bool {
        "，。、；：？！）」』》”’,.;:!?)".contains(character)
    }

    private static func trailingTrimmed(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }
}

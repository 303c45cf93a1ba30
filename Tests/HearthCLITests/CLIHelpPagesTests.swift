import Foundation
import HearthText
import Testing

/// Every help page of the command tree, read from the built binary: in Chinese under
/// `--lang zh` (no English word but names of programs, formats and codes), and wrapped to the
/// terminal by display width, each line filled before it breaks.
@Suite("Every help page")
struct CLIHelpPagesTests {
    /// Words a Chinese page may hold: names of formats, programs and protocols a clerk meets as
    /// they are, and placeholders for dates.
    static let technical: Set<String> = [
        "JSON", "CSV", "Excel", "WPS", "LibreOffice", "SQLite", "PostgreSQL", "HTTP", "HTTPS", "TLS", "CA", "PEM",
        "BOM", "UTF-8", "GB18030", "PNG", "HTML", "PDF", "SIGINT", "SIGTERM", "bcrypt", "Ed25519", "pygeodiff",
        "postgres", "YYYY-MM", "YYYY-MM-DD", "Hearth", "LANG", "ID", "MiB", "KB", "ms", "ops",
        // Values of --format, typed as they are.
        "csv", "json", "xlsx", "print", "table",
    ]

    /// The path of every command under `hearth`, from ArgumentParser's dump of the tree.
    static func commandPaths(_ cli: CLIRunner) async throws -> [[String]] {
        let dump = try await cli.run(["--experimental-dump-help"])
        let root = try #require(
            try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            paths.append(path)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return paths
    }

    /// The English words in `text`: runs of Latin letters outside command names, options, codes
    /// in parentheses, commands in backquotes, addresses, file names and the technical words.
    static func englishWords(in text: String, names: Set<String>) -> [String] {
        var text = text
        for pattern in [
            #"`[^`]*`"#, #"https?://\S+"#, #"\S+\.(csv|xlsx|db|key|pem|html|md|py|sh)\b"#,
            #"[（(][A-Za-z0-9_\-/ ,|]+[)）]"#, #"<[^>]*>"#, #"（默认：[^）\n]*）"#,
        ] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var words: [String] = []
        for token in text.split(whereSeparator: {
            !($0.isASCII && ($0.isLetter || $0.isNumber)) && $0 != "-" && $0 != "_"
        }) {
            let word = String(token).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
            guard word.range(of: "[A-Za-z]{2}", options: .regularExpression) != nil else { continue }
            if token.hasPrefix("-") || word.contains("_") || names.contains(word) || technical.contains(word) {
                continue
            }
            words.append(word)
        }
        return words
    }

    @Test("under --lang zh every command's help is Chinese: no English word but names and codes")
    func everyPageInChinese() async throws {
        let cli = try CLIRunner()
        let paths = try await Self.commandPaths(cli)
        #expect(paths.count > 80)
        let names = Set(paths.joined()).union(["hearth", "help", "zh", "en"])
        var pagesWithEnglish: [String] = []
        for path in paths {
            let page = try await cli.run(["--lang", "zh"] + path + ["--help"], environment: ["COLUMNS": "200"])
            #expect(page.status == 0, "\(path)")
            #expect(page.stdout.contains("用法："), "\(path)")
            let words = Self.englishWords(in: page.stdout, names: names)
            if !words.isEmpty {
                pagesWithEnglish.append(
                    "hearth \(path.joined(separator: " ")): \(Set(words).sorted().joined(separator: " "))")
            }
        }
        #expect(pagesWithEnglish.isEmpty, "\(pagesWithEnglish.joined(separator: "\n"))")
    }

    @Test("Chinese help fits the terminal, each list item's lines indented to its text and filled before they break")
    func pagesWrapped() async throws {
        let cli = try CLIRunner()
        let paths = try await Self.commandPaths(cli)
        for columns in [60, 100] {
            for path in paths {
                let page = try await cli.run(
                    ["--lang", "zh"] + path + ["--help"], environment: ["COLUMNS": "\(columns)"])
                let problems = Self.wrapProblems(page.stdout, columns: columns)
                #expect(problems.isEmpty, "hearth \(path.joined(separator: " ")) at \(columns): \(problems)")
            }
        }
    }

    /// What is wrong with how `page` is wrapped to `columns`: a line wider than the terminal
    /// (unless one unbreakable word is), and in the lists of options, arguments and subcommands a
    /// continuation line not under its item's text, or a line broken although the next line's
    /// first word would have fit on it.
    static func wrapProblems(_ page: String, columns: Int) -> [String] {
        var problems: [String] = []
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inList = false
        var body = 0
        for (index, line) in lines.enumerated() {
            let width = displayWidth(line)
            let longest = line.split(separator: " ").map { displayWidth(String($0)) }.max() ?? 0
            if width > columns && longest <= columns / 2 { problems.append("too wide: \(line)") }
            if line.hasSuffix("：") && !line.hasPrefix(" ") {
                inList = ["选项：", "参数：", "子命令："].contains(line)
                continue
            }
            guard !line.isEmpty else {
                inList = false
                continue
            }
            guard inList else { continue }
            let leading = line.prefix { $0 == " " }.count
            if leading == 2, let first = line.dropFirst(2).first, !(first.isASCII && first != " ") {
                problems.append("a continuation not under its item's text: \(line)")
            } else if leading == 2 {
                // An item: its text begins after the run of blanks that follows its name.
                if let gap = line.dropFirst(2).range(of: "  ") {
                    let rest = line[gap.lowerBound...]
                    body = displayWidth(String(line[..<gap.lowerBound])) + rest.prefix { $0 == " " }.count
                } else if Array(line).count > 26, Array(line)[25] == " " {
                    // A name as wide as ArgumentParser's column of names, then a single blank.
                    body = 26
                } else {
                    body = 0
                }
            } else if body > 0 {
                if leading != min(body, columns / 2) { problems.append("indent \(leading), not \(body): \(line)") }
            }
            // The line before a continuation was broken only if the continuation's first unit
            // did not fit on it (with a blank between them when either side is Latin).
            if leading > 2, index > 0, !lines[index - 1].isEmpty, body > 0 {
                let previous = lines[index - 1]
                let first = firstUnit(Array(line.drop { $0 == " " }))
                let latin = (previous.last?.isASCII ?? false) || (first.first?.isASCII ?? false)
                if displayWidth(previous) + (latin ? 1 : 0) + displayWidth(first) <= columns {
                    problems.append("broken early before \"\(first)\": \(previous)")
                }
            }
        }
        return problems
    }

    /// The first unit a line may not break inside, as TerminalWrap reads units: a command in
    /// backquotes, a Latin word, or one Chinese character; opening punctuation with what follows
    /// it and closing punctuation with what precedes it.
    static func firstUnit(_ characters: [Character]) -> String {
        guard let first = characters.first else { return "" }
        let closing = "，。、；：？！）」』》”’,.;:!?)"
        let opening = "（「『《“‘("
        var end = 1
        if first == "`", let close = characters.dropFirst().firstIndex(of: "`") {
            end = close + 1
        } else if opening.contains(first) {
            return String(first) + firstUnit(Array(characters.dropFirst()))
        } else if first.isASCII {
            while end < characters.count, characters[end] != " ", characters[end].isASCII { end += 1 }
        }
        while end < characters.count, closing.contains(characters[end]) { end += 1 }
        return String(characters[..<end])
    }

    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value <= 0xFFEF ? 2 : 1) }
    }
}

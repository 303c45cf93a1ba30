import Foundation
import HearthCore
import Testing

/// `--lang` and the locale: help, ArgumentParser's own words, errors and values in Chinese or
/// English, values typed in either, and help wrapped by display width.
@Suite("The CLI in Chinese and English")
struct CLILanguageTests {
    /// Whether `text` holds a run of two or more Latin letters outside ids, codes, command
    /// names and option names: an English word left in Chinese output.
    static func englishWords(in text: String, allowing allowed: Set<String> = []) -> [String] {
        var words: [String] = []
        // Record ids (M-1e1e5440a61b-4), replica ids (12 hex digits) and paths are not words.
        var text = text
        for pattern in [
            #"[A-Z]-[0-9a-f]{12}-[0-9]+"#, #"\b[0-9a-f]{12}\b"#, #"(DIR|/tmp)/\S*"#,
            #"[\w-]+\.(csv|db|key|xlsx|html)\b"#,
        ] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        for token in text.split(whereSeparator: { !$0.isLetter && $0 != "-" && $0 != "_" }) {
            let word = String(token)
            guard word.unicodeScalars.contains(where: { $0.isASCII && $0.properties.isAlphabetic }) else { continue }
            // Options, ids (H-…, M-…), subcommand names and placeholders are not words to translate.
            if word.hasPrefix("-") || word.contains("_") || allowed.contains(word) { continue }
            if word.range(of: #"^[A-Z]-[0-9a-f]+"#, options: .regularExpression) != nil { continue }
            if word.count < 2 { continue }
            words.append(word)
        }
        return words
    }

    @Test("--lang zh gives Chinese help, with ArgumentParser's titles in Chinese too")
    func chineseHelp() async throws {
        let cli = try CLIRunner()
        let help = try await cli.run(["--lang", "zh", "household", "add", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("登记一户"))
        #expect(help.stdout.contains("用法："))
        #expect(help.stdout.contains("选项："))
        #expect(help.stdout.contains("户类型：农村（rural）或城镇（urban）"))
        #expect(!help.stdout.contains("USAGE:"))
        #expect(!help.stdout.contains("OPTIONS:"))
        #expect(!help.stdout.contains("Show help information"))

        let english = try await cli.run(["household", "add", "--help"])
        #expect(english.stdout.contains("Register a household"))
        #expect(english.stdout.contains("USAGE:"))
        #expect(!english.stdout.contains("登记一户"))
    }

    @Test("the locale chooses the language, and --lang overrides it, before or after the subcommand")
    func localeAndFlag() async throws {
        let cli = try CLIRunner()
        let chinese = try await cli.run(["member", "--help"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(chinese.stdout.contains("家庭成员"))
        let english = try await cli.run(["member", "--help", "--lang", "en"], environment: ["LANG": "zh_CN.UTF-8"])
        #expect(english.stdout.contains("Members of households"))
        let equals = try await cli.run(["--lang=zh", "member", "--help"])
        #expect(equals.stdout.contains("家庭成员"))
    }

    @Test("an unknown --lang is refused as arguments not understood, naming the value")
    func unknownLanguage() async throws {
        let cli = try CLIRunner()
        let result = try await cli.run(["--lang", "fr", "status"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\"fr\""))
        #expect(result.stderr.contains("zh"))
    }

    @Test("ArgumentParser's errors and Hearth's own are in Chinese under --lang zh")
    func chineseErrors() async throws {
        let cli = try CLIRunner()
        let missing = try await cli.run(["--lang", "zh", "household", "edit"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("错误："))
        #expect(missing.stderr.contains("缺少参数"))
        #expect(!missing.stderr.contains("Missing expected argument"))

        let noReplica = try await cli.run(["--lang", "zh", "status"], environment: ["HEARTH_DB": ""])
        #expect(noReplica.status == 2)
        #expect(noReplica.stderr.contains("未指定副本"))

        _ = try await cli.ok(["node", "init", "--name", "新庄村", "--scope", "421281101001"])
        let bad = try await cli.run([
            "--lang", "zh", "household", "add", "--village", "4212811010", "--address", "三组", "--type", "农村",
            "--worker", "w1",
        ])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("村：须为 12 位"))
        #expect(Self.englishWords(in: bad.stderr, allowing: ["hearth"]).isEmpty, "\(bad.stderr)")
    }

    @Test("values are typed in either language and shown in the reader's")
    func valuesInEitherLanguage() async throws {
        let cli = try CLIRunner()
        _ = try await cli.ok(["node", "init", "--name", "新庄村", "--scope", "421281101001"])
        let household = try await cli.ok([
            "household", "add", "--village", "421281101001", "--address", "三组", "--type", "农村",
        ]).firstLine
        let head = try await cli.ok([
            "member", "add", "--household", household, "--name", "王秀英", "--relation", "户主",
            "--disability-grade", "二级",
        ]).firstLine
        let json = try #require(try await cli.ok(["member", "show", head, "--json"]).json)
        #expect(json["fields"]?["relation"]?.stringValue == "head")
        #expect(json["fields"]?["disability_grade"]?.stringValue == "2")
        let householdJSON = try #require(try await cli.ok(["household", "show", household, "--json"]).json)
        #expect(householdJSON["fields"]?["type"]?.stringValue == "rural")

        let chinese = try await cli.ok(["--lang", "zh", "household", "show", household]).stdout
        #expect(chinese.contains("户类型"))
        #expect(chinese.contains("农村"))
        let english = try await cli.ok(["household", "show", household]).stdout
        #expect(english.contains("rural"))
        #expect(!english.contains("农村"))

        _ = try await cli.ok(["household", "edit", household, "--type", "urban"])
        _ = try await cli.ok(["household", "edit", household, "--type", "城镇"])
        let refused = try await cli.run(["--lang", "zh", "household", "edit", household, "--type", "牧区"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("农村 (rural)"))
    }

    @Test("Chinese help is wrapped to the terminal's width by display columns, at character boundaries")
    func wrappedHelp() async throws {
        let cli = try CLIRunner()
        for columns in [60, 100] {
            let help = try await cli.run(
                ["--lang", "zh", "enroll", "--help"], environment: ["COLUMNS": "\(columns)"])
            #expect(help.status == 0)
            for line in help.stdout.split(separator: "\n") {
                let width = line.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value <= 0xFFEF ? 2 : 1) }
                // A single word longer than the line (a long option name) may stand alone.
                let longestWord = line.split(separator: " ").map(\.count).max() ?? 0
                #expect(width <= columns || longestWord > columns / 2, "\(columns): \(line)")
            }
        }
    }
}

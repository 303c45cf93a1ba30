import ArgumentParser
import Foundation
import HearthText

extension Hearth {
    /// ArgumentParser's entry point, with two things of Hearth's around it: `--lang`, which every
    /// command takes, is taken out of the arguments before they are parsed (``Language/current``
    /// has read it), and what ArgumentParser prints itself (help, its errors) is put into the
    /// process's language (``HelpLanguage``).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let (rest, language) = LanguageOption.extract(from: arguments)
        if let language, Language(tag: language) == nil {
            printError(L("error.lang", ["value": language]))
            Foundation.exit(ExitStatus.unparsable.rawValue)
        }
        do {
            var command = try parseAsRoot(rest)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let columns = TerminalWrap.columns
            let code = exitCode(for: error)
            let text = HelpLanguage.localized(fullMessage(for: error, columns: columns), in: .current, columns: columns)
            if !text.isEmpty {
                if code == .success {
                    Swift.print(text)
                } else {
                    FileHandle.standardError.write(Data((text + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}

/// `--lang zh|en`: accepted anywhere on the command line, before or after the subcommand.
enum LanguageOption {
    /// The arguments without `--lang X` / `--lang=X`, and the last value given (nothing after a
    /// `--` is looked at).
    static func extract(from arguments: [String]) -> (rest: [String], value: String?) {
        var rest: [String] = []
        var value: String?
        var index = 0
        var ended = false
        while index < arguments.count {
            let argument = arguments[index]
            if ended || argument == "--" {
                ended = true
                rest.append(argument)
            } else if argument == "--lang" {
                value = index + 1 < arguments.count ? arguments[index + 1] : ""
                index += 1
            } else if argument.hasPrefix("--lang=") {
                value = String(argument.dropFirst("--lang=".count))
            } else {
                rest.append(argument)
            }
            index += 1
        }
        return (rest, value)
    }
}

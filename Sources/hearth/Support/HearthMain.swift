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
        let (rest, language) = Language.option(in: arguments)
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
            // ArgumentParser wraps by characters at spaces; in Chinese it is told not to wrap
            // (its breaks would cut lines TerminalWrap then breaks again) and TerminalWrap wraps
            // the text once, by display width.
            let parserColumns = Language.current == .en ? columns : TerminalWrap.unwrapped
            let message = fullMessage(for: error, columns: parserColumns)
            let text = HelpLanguage.localized(message, in: .current, columns: columns)
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

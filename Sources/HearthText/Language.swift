import Foundation

/// The languages Hearth speaks: Chinese (zh-CN) for the clerks of a county's civil-affairs
/// bureau, English for everyone else.
///
/// Why one process-wide choice: a command runs for one person at one terminal, so the language
/// is settled once, before the first word is printed, from `--lang` or the locale. The desk,
/// which serves many people at once, chooses per request instead (HearthDesk's DeskLanguage).
public enum Language: String, Sendable, CaseIterable {
    case zh, en

    /// The language of this process: `--lang zh|en` anywhere among the arguments, else the
    /// locale (`LC_ALL`, then `LC_MESSAGES`, then `LANG`: Chinese when it starts with `zh`),
    /// else English. Settled on first use and never changed.
    public static let current: Language = resolve(
        arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)

    /// The language `arguments` and `environment` choose; an unknown `--lang` value is left to
    /// the command line's parser to refuse, and the locale decides meanwhile.
    public static func resolve(arguments: [String], environment: [String: String]) -> Language {
        if let asked = requested(in: arguments), let language = Language(tag: asked) { return language }
        for variable in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[variable], !value.isEmpty else { continue }
            return value.lowercased().hasPrefix("zh") ? .zh : .en
        }
        return .en
    }

    /// The value of the last `--lang X` or `--lang=X` among `arguments`, if any (the first
    /// element, the program's path, is not looked at).
    public static func requested(in arguments: [String]) -> String? {
        option(in: Array(arguments.dropFirst())).value
    }

    /// `arguments` without `--lang X` / `--lang=X`, and the last value given (`""` for a
    /// `--lang` with nothing after it); nothing after a `--` is looked at.
    public static func option(in arguments: [String]) -> (rest: [String], value: String?) {
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

    /// `zh`, `zh-CN`, `zh_CN.UTF-8`, `中文` are Chinese; `en`, `en-US`, `english` English.
    public init?(tag: String) {
        let lowered = tag.lowercased()
        if lowered == "中文" || lowered.hasPrefix("zh") || lowered == "chinese" {
            self = .zh
        } else if lowered.hasPrefix("en") || lowered == "英文" {
            self = .en
        } else {
            return nil
        }
    }
}

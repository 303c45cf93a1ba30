import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A desk password, from a file (`--password-file`) or typed at a prompt with echo off, asked
/// twice; never from an argument, which `ps` would show to every user of the machine.
enum PasswordInput {
    /// The password in `file` (its one line, without the line break), or typed at the terminal.
    static func read(file: String?, prompt: String) throws -> String {
        if let file { return try fromFile(file) }
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIError.usage(L("error.password.no_terminal"))
        }
        let first = try typed(L("password.prompt", ["prompt": prompt]))
        let second = try typed(L("password.again"))
        guard first == second else { throw CLIError.usage(L("error.password.differ")) }
        return first
    }

    static func fromFile(_ file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError.usage(L("error.password.unreadable", ["file": file]))
        }
        guard data.count <= 1024, var text = String(data: data, encoding: .utf8) else {
            throw CLIError.usage(L("error.password.not_text", ["file": file]))
        }
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        guard !text.contains("\n"), !text.contains("\r") else {
            throw CLIError.usage(L("error.password.one_line", ["file": file]))
        }
        return text
    }

    /// One line typed at the terminal with echo off; echo comes back however the line ends.
    private static func typed(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw CLIError.failed(L("error.password.terminal_settings")) }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0 else {
            throw CLIError.failed(L("error.password.echo_off"))
        }
        defer {
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw CLIError.usage(L("error.password.none_typed")) }
        return line
    }
}

import ArgumentParser
import Foundation
import HearthCore

/// Where a command takes an enrollment token from: `--token`, or `--token-file` (a file, or `-`
/// for standard input).
///
/// A token carries the county data key and a one-time secret. On the command line it is visible
/// to every user of the machine in the process list (`ps`) and lands in shell history, so the
/// help steers people to `--token-file`; `--token` keeps working for scripts and tests.
struct TokenOptions: ParsableArguments {
    @Option(
        help: .text("opt.token"))
    var token: String?

    @Option(
        help: ArgumentHelp(L("opt.token_file"), valueName: "path"))
    var tokenFile: String?

    /// The token's text, or nil when neither option was given.
    func text() throws -> String? {
        guard let tokenFile else { return token }
        guard token == nil else { throw CLIError.usage(L("error.token_both")) }
        let data: Data
        if tokenFile == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: tokenFile) else {
                throw InputError(field: "token-file", "input.token_file_unreadable", ["file": tokenFile])
            }
            data = contents
        }
        // A token is one line of base64url text; the file may end with a line break.
        let source = tokenFile == "-" ? L("token.standard_input") : tokenFile
        guard data.count <= 64 << 10, let text = String(data: data, encoding: .utf8) else {
            throw InputError(field: "token-file", "input.token_file_no_token", ["file": source])
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw InputError(field: "token-file", "input.token_file_empty", ["file": source])
        }
        return trimmed
    }
}

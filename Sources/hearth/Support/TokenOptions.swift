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
        help: """
            The enrollment token from `hearth hub enroll`. Visible to other users in the process list (ps) and \
            kept in shell history: prefer --token-file.
            """)
    var token: String?

    @Option(
        help: ArgumentHelp(
            "Read the enrollment token from this file, or from standard input with '-' (not shown in ps).",
            valueName: "path"))
    var tokenFile: String?

    /// The token's text, or nil when neither option was given.
    func text() throws -> String? {
        guard let tokenFile else { return token }
        guard token == nil else { throw CLIError.usage("give --token or --token-file, not both") }
        let data: Data
        if tokenFile == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: tokenFile) else {
                throw InputError(field: "token-file", reason: "cannot read \(tokenFile)")
            }
            data = contents
        }
        // A token is one line of base64url text; the file may end with a line break.
        guard data.count <= 64 << 10, let text = String(data: data, encoding: .utf8) else {
            throw InputError(
                field: "token-file", reason: "\(tokenFile == "-" ? "standard input" : tokenFile) holds no token")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw InputError(field: "token-file", reason: "\(tokenFile == "-" ? "standard input" : tokenFile) is empty")
        }
        return trimmed
    }
}

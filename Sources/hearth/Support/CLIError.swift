import ArgumentParser
import Foundation

/// Failures of the CLI itself (as opposed to the libraries' errors); ``exitFailure(for:)`` gives
/// each its exit status.
enum CLIError: Error, CustomStringConvertible {
    /// The command was used wrongly (exit 2).
    case usage(String)
    /// Something failed that the input did not cause (exit 1).
    case failed(String)
    /// An import refused for its bad rows, which the command has printed (or its `--json`
    /// document): nothing was imported (exit 65).
    case importRefused(badRows: Int)
    /// Seeds of `hearth sim` failed; each has printed the command that reproduces it (exit 1).
    case seedsFailed(Int)

    var description: String {
        switch self {
        case .usage(let message), .failed(let message): return message
        case .importRefused(let badRows): return "nothing imported: \(badRows) bad row\(badRows == 1 ? "" : "s")"
        case .seedsFailed(let count): return "\(count) seed\(count == 1 ? "" : "s") failed"
        }
    }
}

/// Runs a command body, turning errors into one line on stderr and a meaningful exit code.
func guarded(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        try report(error)
    }
}

/// The async form of ``guarded(_:)``.
func guardedAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try report(error)
    }
}

/// Prints what ``exitFailure(for:)`` says about the error and exits with its status.
private func report(_ error: any Error) throws -> Never {
    let failure = exitFailure(for: error)
    for line in failure.lines { printError(line) }
    throw ExitCode(failure.status.rawValue)
}

/// One line on stderr, escaped like everything the CLI prints (an error may quote a value).
func printError(_ message: String) {
    FileHandle.standardError.write(Data("hearth: \(ScreenText.escaped(message))\n".utf8))
}

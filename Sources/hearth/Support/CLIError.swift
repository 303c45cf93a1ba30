import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// Failures of the CLI itself (as opposed to the replica's own errors).
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let message), .failed(let message): return message
        }
    }
}

/// Runs a command body, turning errors into one line on stderr and a meaningful exit code.
func guarded(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ReplicaError {
        printError(error.description)
        switch error {
        case .invalid, .outsideScope, .wrongRecordType, .refused: throw ExitCode(65)
        case .notFound, .unknownRecord: throw ExitCode(66)
        default: throw ExitCode(1)
        }
    } catch let error as InputError {
        printError(error.description)
        throw ExitCode(65)
    } catch let error as CLIError {
        printError(error.description)
        if case .usage = error { throw ExitCode(2) }
        throw ExitCode(1)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("hearth: \(message)\n".utf8))
}

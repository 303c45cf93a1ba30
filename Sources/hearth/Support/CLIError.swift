import ArgumentParser
import Foundation
import HearthClient
import HearthHub
import HearthProtocol
import HearthCore
import HearthLedger
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

private func report(_ error: any Error) throws -> Never {
    switch error {
    case let error as ExitCode: throw error
    case let error as SyncError:
        printError(error.description)
        if case .replica(let inner) = error { try report(inner) }
        throw ExitCode(1)
    case let error as HubError:
        printError(error.message)
        throw ExitCode(error.status.code == 400 ? 65 : 1)
    case let error as BundleFile.Failure:
        printError(error.description)
        throw ExitCode(1)
    case let error as MessageError:
        printError(error.description)
        throw ExitCode(65)
    default: break
    }
    do {
        throw error
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
    } catch {
        printError(String(describing: error))
        throw ExitCode(1)
    }
}

/// One line on stderr, escaped like everything the CLI prints (an error may quote a value).
func printError(_ message: String) {
    FileHandle.standardError.write(Data("hearth: \(ScreenText.escaped(message))\n".utf8))
}

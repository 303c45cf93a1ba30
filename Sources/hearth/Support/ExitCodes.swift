import HearthClient
import HearthCore
import HearthHub
import HearthLedger
import HearthLedgerSQLite
import HearthProtocol
import HearthStore

/// The exit statuses of `hearth`: what a script may rely on, written down once.
///
/// Scripts branch on them (a refused import leaves nothing to undo, a missing record is not a
/// broken database), so each status keeps its meaning from release to release. The numbers
/// above 2 are those of sysexits(3). `hearth --help` and the README list them from here.
enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Done.
    case ok = 0
    /// Something failed that the input did not cause: the database, the network, the hub's
    /// answer, a file that could not be written, a seed of `hearth sim`.
    case failure = 1
    /// The command was used wrongly: an option missing or contradicting another, no `--worker`
    /// for a write, a hub command given a node's replica, plain HTTP off loopback.
    case usage = 2
    /// The arguments could not be parsed at all (an unknown option, a missing argument): set by
    /// ArgumentParser before a command runs, never by ``exitFailure(for:)``.
    case unparsable = 64
    /// The input was refused and nothing changed: an invalid value, a record of another type or
    /// outside the replica's scope, a refused write, an import with bad rows, a malformed bundle
    /// or request (EX_DATAERR).
    case refused = 65
    /// No such replica, record or input file, or an input file that cannot be read (EX_NOINPUT).
    case notFound = 66

    /// How `hearth --help` and the README name the status.
    var meaning: String {
        switch self {
        case .ok: return L("exit.ok")
        case .failure: return L("exit.failure")
        case .usage: return L("exit.usage")
        case .unparsable: return L("exit.unparsable")
        case .refused: return L("exit.refused")
        case .notFound: return L("exit.not_found")
        }
    }

    /// One sentence listing every status, for `hearth --help`.
    static var summary: String {
        L("exit.summary", ["list": allCases.map { "\($0.rawValue) \($0.meaning)" }.joined(separator: ", ")])
    }
}

/// What an error becomes when it ends a command: the lines printed on stderr and the exit status.
struct ExitFailure: Equatable, Sendable {
    /// Printed as `hearth: <line>`; empty when the command already printed why.
    let lines: [String]
    let status: ExitStatus

    init(_ lines: [String], _ status: ExitStatus) {
        self.lines = lines
        self.status = status
    }
}

/// The one mapping from the errors a command can end with to what it prints and its exit status.
///
/// Commands throw typed errors (their own ``CLIError``s and the libraries' errors) and never an
/// exit code; ``report(_:)`` prints and exits with what this says.
func exitFailure(for error: any Error) -> ExitFailure {
    switch error {
    case let error as CLIError:
        switch error {
        case .usage(let message): return ExitFailure([message], .usage)
        case .failed(let message): return ExitFailure([message], .failure)
        case .importRefused: return ExitFailure([], .refused)
        case .seedsFailed: return ExitFailure([], .failure)
        }
    case let error as InputError:
        return ExitFailure([error.description], .refused)
    case let error as ReferenceError:
        // A name that means several people changes nothing: refused, with the candidates listed.
        if case .ambiguous = error { return ExitFailure(error.lines, .refused) }
        return ExitFailure(error.lines, .notFound)
    case let error as ReplicaError:
        switch error {
        case .invalid, .outsideScope, .wrongRecordType, .refused: return ExitFailure([error.description], .refused)
        case .notFound, .unknownRecord, .letGo: return ExitFailure([error.description], .notFound)
        case .notOnServer: return ExitFailure([error.description], .usage)
        default: return ExitFailure([error.description], .failure)
        }
    case let error as SyncError:
        // A sync stopped by the replica says so, then exits as the replica's error does.
        if case .replica(let inner) = error {
            let cause = exitFailure(for: inner)
            return ExitFailure([error.description] + cause.lines, cause.status)
        }
        return ExitFailure([error.description], .failure)
    case let error as HubError:
        // A bundle the hub refuses as a bad request is refused input; any other refusal a failure.
        return ExitFailure([error.message], error.status.code == 400 ? .refused : .failure)
    case let error as MessageError:
        return ExitFailure([error.description], .refused)
    case let error as BundleFile.Failure:
        return ExitFailure([error.description], .failure)
    case let error as SpreadsheetError:
        switch error {
        case .noSuchFile, .cannotRead: return ExitFailure([error.description], .notFound)
        case .cannotWrite: return ExitFailure([error.description], .failure)
        default: return ExitFailure([error.description], .refused)
        }
    case let error as RosterImportError:
        switch error {
        case .spreadsheet(let inner): return exitFailure(for: inner)
        case .replica(let inner): return exitFailure(for: inner)
        case .columns: return ExitFailure([error.description], .refused)
        }
    case let error as HubBackupError:
        switch error {
        case .exists, .otherHub, .inUse: return ExitFailure([error.description], .refused)
        case .failed: return ExitFailure([error.description], .failure)
        }
    default:
        return ExitFailure([String(describing: error)], .failure)
    }
}

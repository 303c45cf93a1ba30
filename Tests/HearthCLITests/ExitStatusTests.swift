import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthProtocol
import HearthStore
import Testing

@testable import HearthHub
@testable import hearth

/// The exit statuses are what scripts branch on: each error a command can end with maps to the
/// status the README and `hearth --help` document, in one place (`exitFailure(for:)`).
/// The CLI's statuses (Swift Testing has an `ExitStatus` of its own).
typealias ExitStatus = hearth.ExitStatus

@Suite("Exit statuses: one mapping from errors, as documented")
struct ExitStatusTests {
    /// An error, the status it must exit with, and whether it prints a line of its own.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let error: any Error
        let status: ExitStatus
        /// False for the refusals a command has already printed (an import's bad rows, failing seeds).
        var printsItself = true
        var testDescription: String { name }
    }

    static let notFound = ReplicaError.unknownRecord("E-3f9a2c71b0d4-7")
    static let badValue = InputError(field: "month", reason: "must be YYYY-MM")

    static let cases: [Case] = [
        Case(name: "CLIError.usage", error: CLIError.usage("give --pick or --value"), status: .usage),
        Case(name: "CLIError.failed", error: CLIError.failed("the replicas did not converge"), status: .failure),
        Case(
            name: "CLIError.importRefused", error: CLIError.importRefused(badRows: 2), status: .refused,
            printsItself: false),
        Case(name: "CLIError.seedsFailed", error: CLIError.seedsFailed(1), status: .failure, printsItself: false),
        Case(name: "InputError", error: badValue, status: .refused),
        Case(name: "ReplicaError.invalid", error: ReplicaError.invalid(badValue), status: .refused),
        Case(
            name: "ReplicaError.outsideScope",
            error: ReplicaError.outsideScope(record: "H-3f9a2c71b0d4-1", village: "421281101001", scope: "421281102"),
            status: .refused),
        Case(
            name: "ReplicaError.wrongRecordType",
            error: ReplicaError.wrongRecordType(id: "H-3f9a2c71b0d4-1", expected: .member), status: .refused),
        Case(name: "ReplicaError.refused", error: ReplicaError.refused("the member is deceased"), status: .refused),
        Case(name: "ReplicaError.notFound", error: ReplicaError.notFound(path: "/tmp/none.db"), status: .notFound),
        Case(name: "ReplicaError.unknownRecord", error: notFound, status: .notFound),
        Case(
            name: "ReplicaError.alreadyExists", error: ReplicaError.alreadyExists(path: "/tmp/node.db"),
            status: .failure),
        Case(
            name: "ReplicaError.outputExists",
            error: ReplicaError.outputExists(path: "/tmp/roll-summary.csv", out: "/tmp/roll.csv"), status: .failure),
        Case(name: "ReplicaError.database", error: ReplicaError.database("disk I/O error"), status: .failure),
        Case(
            name: "ReplicaError.tooManyWaiting", error: ReplicaError.tooManyWaiting(count: 9, bound: 8),
            status: .failure),
        Case(name: "SyncError", error: SyncError.notEnrolled, status: .failure),
        Case(name: "SyncError.replica (not found)", error: SyncError.replica(notFound), status: .notFound),
        Case(name: "SyncError.replica (refused)", error: SyncError.replica(.invalid(badValue)), status: .refused),
        Case(name: "HubError 400", error: HubError.badRequest("the bundle is damaged"), status: .refused),
        Case(name: "HubError 403", error: HubError.forbidden("the node is revoked"), status: .failure),
        Case(name: "MessageError", error: MessageError("\"ops\" is not an array"), status: .refused),
        Case(name: "BundleFile.Failure", error: BundleFile.Failure("cannot read b.bundle"), status: .failure),
        Case(name: "SpreadsheetError.noSuchFile", error: SpreadsheetError.noSuchFile(file: "a.csv"), status: .notFound),
        Case(
            name: "SpreadsheetError.cannotRead",
            error: SpreadsheetError.cannotRead(file: "a.csv", reason: "it is a directory"), status: .notFound),
        Case(
            name: "SpreadsheetError.cannotWrite",
            error: SpreadsheetError.cannotWrite(file: "a.skipped.csv", reason: "read-only"), status: .failure),
        Case(name: "SpreadsheetError.empty", error: SpreadsheetError.empty(file: "a.csv"), status: .refused),
        Case(name: "SpreadsheetError.workbook", error: SpreadsheetError.workbook(file: "a.xlsx"), status: .refused),
        Case(
            name: "RosterImportError.spreadsheet",
            error: RosterImportError.spreadsheet(.noSuchFile(file: "roster.csv")), status: .notFound),
        Case(
            name: "RosterImportError.columns",
            error: RosterImportError.columns(file: "roster.csv", unknown: ["备注"], missing: [], twice: []),
            status: .refused),
        Case(name: "RosterImportError.replica", error: RosterImportError.replica(notFound), status: .notFound),
        Case(name: "any other error", error: CocoaError(.fileWriteNoPermission), status: .failure),
    ]

    @Test("each error exits with its documented status and says why once", arguments: cases)
    func mapping(_ example: Case) {
        let failure = exitFailure(for: example.error)
        #expect(failure.status == example.status)
        if example.printsItself {
            #expect(!failure.lines.isEmpty && failure.lines.allSatisfy { !$0.isEmpty })
        } else {
            #expect(failure.lines.isEmpty, "the command has already printed why")
        }
    }

    @Test("a sync stopped by the replica prints both causes and exits as the replica's error")
    func syncWrapsReplica() {
        let failure = exitFailure(for: SyncError.replica(Self.notFound))
        #expect(failure.lines == [SyncError.replica(Self.notFound).description, Self.notFound.description])
        #expect(failure.status == exitFailure(for: Self.notFound).status)
    }

    @Test("the statuses are the numbers scripts rely on")
    func numbers() {
        #expect(
            ExitStatus.allCases.map(\.rawValue) == [0, 1, 2, 64, 65, 66]
        )
        #expect(ExitStatus.ok.rawValue == 0 && ExitStatus.failure.rawValue == 1 && ExitStatus.usage.rawValue == 2)
        #expect(ExitStatus.unparsable.rawValue == 64)
        #expect(ExitStatus.refused.rawValue == 65 && ExitStatus.notFound.rawValue == 66)
    }

    /// Text as printed or wrapped: runs of whitespace as one space.
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test("`hearth --help` and the README list every status with its meaning")
    func documented() async throws {
        let help = Self.flattened(try await CLIRunner().run(["--help"]).stdout)
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        for status in ExitStatus.allCases {
            #expect(help.contains("\(status.rawValue) \(status.meaning)"), "hearth --help lacks \(status)")
        }
        #expect(Self.flattened(readme).contains(ExitStatus.summary), "README.md: \(ExitStatus.summary)")
    }

    @Test("the binary exits 66 for what is not there and 64 for arguments it cannot parse")
    func endToEnd() async throws {
        let cli = try CLIRunner()
        #expect(try await cli.run(["status", "--db", cli.directory + "/none.db"]).status == 66)
        _ = try await cli.ok(["hub", "init", "--name", "宜城市", "--scope", "421281"])
        let unknown = try await cli.run(["show", "H-3f9a2c71b0d4-1", "--json"])
        #expect(unknown.status == 66 && unknown.stdout.isEmpty && unknown.stderr.hasPrefix("hearth: "))
        let roster = try await cli.run(["hub", "import-roster", cli.directory + "/none.csv", "--json"])
        #expect(roster.status == 66 && roster.stderr.contains("none.csv: no such file"))
        #expect(try await cli.run(["status", "--no-such-option"]).status == 64)
    }
}

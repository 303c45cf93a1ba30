import Foundation
import HearthCore
import Testing

/// The benches run end to end on a small county: a bench that stops before printing its
/// figures measures nothing (`bench sync` once failed its final check on the hub's database,
/// which only opens as the hub, and printed no JSON at all).
@Suite("hearth bench, end to end on a small county")
struct CLIBenchTests {
    @Test("bench sync pushes, pulls and checks the hub's log, and prints one JSON document")
    func syncBench() throws {
        let cli = try CLIRunner()
        let result = try cli.run([
            "bench", "sync", "--villages", "4", "--households", "40", "--members", "2", "--edits", "3",
            "--concurrency", "2", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json else {
            Issue.record("not one JSON document: \(result.stdout)")
            return
        }
        guard case .integer(let ops)? = document["ops"] else {
            Issue.record("no op count: \(result.stdout)")
            return
        }
        #expect(ops > 0)
        #expect(document["healthz_failures"] == .integer(0))
    }

    @Test("bench merge prints one JSON document with its rates")
    func mergeBench() throws {
        let cli = try CLIRunner()
        let result = try cli.run(["bench", "merge", "--ops", "2000", "--batch", "500", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json, case .integer(let ops)? = document["ops"] else {
            Issue.record("not one JSON document with an op count: \(result.stdout)")
            return
        }
        #expect(ops == 2000)
    }
}

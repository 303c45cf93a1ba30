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
        // A sync with nothing new moves a few signed requests and answers, no ops.
        guard case .integer(let idle)? = document["idle_sync_bytes"] else {
            Issue.record("no idle sync figure: \(result.stdout)")
            return
        }
        #expect(idle > 0 && idle < 16_384)
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

    @Test("bench county generates a county, times each read and prints one JSON document")
    func countyBench() throws {
        let cli = try CLIRunner()
        let result = try cli.run([
            "bench", "county", "--profile", "small-county", "--scale", "0.01", "--runs", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json, case .array(let reads)? = document["reads"] else {
            Issue.record("not one JSON document with reads: \(result.stdout)")
            return
        }
        let names = reads.compactMap { read -> String? in
            guard case .object(let fields) = read, case .string(let name)? = fields["read"] else { return nil }
            return name
        }
        #expect(names == ["status", "hub conflicts", "hub report", "hub payroll", "show"])
        guard case .integer(let members)? = document["members"] else {
            Issue.record("no member count: \(result.stdout)")
            return
        }
        #expect(members > 0)
        let report = reads.first {
            if case .object(let fields) = $0 { return fields["read"] == .string("hub report") }
            return false
        }
        guard case .object(let fields)? = report, case .integer(let lines)? = fields["returned"] else {
            Issue.record("the report returned nothing: \(result.stdout)")
            return
        }
        #expect(lines > 0)
        let refused = try cli.run(["bench", "county", "--profile", "town", "--scale", "0.01"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("profile"))
    }
}

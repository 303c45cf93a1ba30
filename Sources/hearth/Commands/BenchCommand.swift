import ArgumentParser
import Foundation
import HearthStore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Hearth on this machine.", subcommands: [BenchMerge.self])
}

struct BenchMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Apply N generated ops to a fresh replica, and the same rows by a raw SQLite upsert; print both rates.")

    @Option(help: "How many ops to generate.") var ops: Int = 100_000
    @Option(help: "Ops (and raw rows) per transaction.") var batch: Int = 10_000
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded {
            guard ops > 0, batch > 0 else { throw CLIError.usage("--ops and --batch must be positive") }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-bench-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let result = try MergeBench(opCount: ops, batchSize: batch, seed: seed).run(in: directory)
            if json {
                Output.json(.object([
                    "ops": .integer(Int64(result.ops)), "field_changes": .integer(Int64(result.fieldChanges)),
                    "replica_ops_per_second": .integer(Int64(result.opsPerSecond)),
                    "replica_field_changes_per_second": .integer(Int64(result.fieldChangesPerSecond)),
                    "raw_rows_per_second": .integer(Int64(result.rawRowsPerSecond)),
                    "ratio_permille": .integer(Int64(result.ratio * 1000)),
                ]))
            } else {
                print("ops applied        \(result.ops) (\(result.fieldChanges) field changes)")
                print(String(format: "replica            %.0f ops/s, %.0f field changes/s (%.2f s)", result.opsPerSecond, result.fieldChangesPerSecond, result.replicaSeconds))
                print(String(format: "raw sqlite upsert  %.0f rows/s (%.2f s)", result.rawRowsPerSecond, result.rawSeconds))
                print(String(format: "ratio              %.3f of the raw rate", result.ratio))
            }
        }
    }
}

import ArgumentParser
import Foundation
import HearthStore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a scripted offline day on two real SQLite replicas in a temporary directory, and explain it.")

    @Option(help: "Keep the replicas in this (new) directory instead of a temporary one.") var dir: String?

    func run() throws {
        try guarded {
            let directory =
                dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("hearth-demo-\(UUID().uuidString)").path
            if FileManager.default.fileExists(atPath: directory),
                !((try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? true)
            {
                throw CLIError.usage("\(directory) is not empty; give a new directory")
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let outcome = try DemoScenario(directory: directory).run { print($0) }
            print("")
            print("The replicas are in \(directory). Try:")
            print("  hearth show \(outcome.enrollment) --db \(directory)/village.db")
            print("  hearth show \(outcome.household) --history --db \(directory)/village.db")
            print("  sqlite3 \(directory)/village.db 'select id, name, sex, birth_date, vital_status, id_pending from members'")
            guard outcome.digestsEqual else { throw CLIError.failed("the demo's replicas did not converge") }
        }
    }
}

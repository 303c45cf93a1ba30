import ArgumentParser
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "A scripted day: a county hub on loopback, a township and two villages working offline, then syncing.",
        discussion: "Exits non-zero unless every replica ends with the hub's state for what it shares.")

    @Option(help: "Keep the replicas in this (new) directory instead of a temporary one.") var dir: String?

    func run() async throws {
        try await guardedAsync {
            let directory =
                dir
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("hearth-demo-\(UUID().uuidString)")
                .path
            if FileManager.default.fileExists(atPath: directory),
                !((try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? true)
            {
                throw CLIError.usage("\(directory) is not empty; give a new directory")
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let converged = try await CountyDemo(directory: directory) { print($0) }.run()
            print("")
            print("The replicas are in \(directory) (hub.db, 421281101.db, 421281101001.db, 421281101002.db). Try:")
            print("  hearth status --db \(directory)/hub.db")
            print("  hearth household list --db \(directory)/421281101001.db")
            guard converged else { throw CLIError.failed("the demo's replicas did not converge") }
        }
    }
}

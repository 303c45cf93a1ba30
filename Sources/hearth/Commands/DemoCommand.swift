import ArgumentParser
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: L("cmd.demo.abstract"), discussion: L("cmd.demo.discussion"))

    @Option(help: .text("opt.demo.dir")) var dir: String?

    func run() async throws {
        try await guardedAsync {
            let directory =
                dir
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("hearth-demo-\(UUID().uuidString)")
                .path
            if FileManager.default.fileExists(atPath: directory),
                !((try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? true)
            {
                throw CLIError.usage(L("error.dir_not_empty", ["dir": directory]))
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let converged = try await CountyDemo(directory: directory) { print($0) }.run()
            print("")
            print(L("demo.where", ["dir": directory]))
            print("  hearth status --db \(directory)/hub.db")
            print("  hearth household list --db \(directory)/421281101001.db")
            guard converged else { throw CLIError.failed(L("error.demo_diverged")) }
        }
    }
}

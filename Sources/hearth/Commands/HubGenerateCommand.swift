import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthTools

struct HubGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: L("cmd.hub.generate.abstract"), discussion: L("cmd.hub.generate.discussion"))
    @Option(help: .text("opt.generate.profile")) var profile: String
    @Option(help: .text("opt.hub.generate.out")) var out: String
    @Option(help: .text("opt.generate.seed")) var seed: UInt64 = 1
    @Option(help: .text("opt.generate.scale")) var scale: Double = 1
    @Option(help: .text("opt.hub.generate.month")) var month: String?
    @Option(help: .text("opt.hub.generate.name")) var name: String?

    func run() async throws {
        try await guardedAsync {
            let chosen = try CountyProfile.named(profile, scale: scale)
            if FileManager.default.fileExists(atPath: out),
                !((try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty ?? true)
            {
                throw CLIError.usage(L("error.dir_not_empty", ["dir": out]))
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let period =
                try month.map { text throws in try Month.parse(text, field: "month") }
                ?? DomainCalendar.date(atMillis: nowMillis()).month
            let start = Date()
            let progress = ProgressLine()
            let (hub, nodes) = try await CountyGenerator(
                profile: chosen, seed: seed, directory: out, month: period, nowMillis: nowMillis(), name: name
            ).run {
                progress.update(
                    L("msg.hub.generate.progress", ["step": $0.trimmingCharacters(in: .whitespaces)]), force: true)
            }
            progress.finish()
            let status = try hub.replica.status()
            print(out + "/hub.db")
            print(
                L(
                    "msg.hub.generate.summary",
                    [
                        "name": chosen.name, "townships": nodes.count, "households": status.counts[.household] ?? 0,
                        "members": status.counts[.member] ?? 0, "enrollments": status.counts[.enrollment] ?? 0,
                        "ops": status.logSize, "seconds": String(format: "%.1f", Date().timeIntervalSince(start)),
                    ]))
            print(L("msg.hub.generate.try", ["db": out + "/hub.db", "month": period]))
            // The nodes are registered and in sync but know no address: the hub's is given at their first sync.
            if let first = nodes.first {
                print(L("msg.hub.generate.nodes", ["out": out, "first": first.path]))
            }
        }
    }
}

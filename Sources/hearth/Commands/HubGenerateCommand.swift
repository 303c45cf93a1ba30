import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthTools

struct HubGenerate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract:
            "Create a hub and one node per township holding a realistic synthetic county (reproducible from --seed).",
        discussion:
            "Profiles (figures in docs/domain.md): small-county, city, large-district. --scale 0.1 makes a tenth.")
    @Option(help: "small-county, city or large-district.") var profile: String
    @Option(help: "A new directory for hub.db and the township replicas.") var out: String
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "Size factor (1 = the profile's real size).") var scale: Double = 1
    @Option(help: "The month the figures describe, YYYY-MM (default: this month).") var month: String?
    @Option(help: "The hub's name, e.g. 赤壁市 (default: the profile's name and \"hub\").") var name: String?

    func run() async throws {
        try await guardedAsync {
            let chosen = try CountyProfile.named(profile, scale: scale)
            if FileManager.default.fileExists(atPath: out),
                !((try? FileManager.default.contentsOfDirectory(atPath: out))?.isEmpty ?? true)
            {
                throw CLIError.usage("\(out) is not empty; give a new directory")
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let period =
                try month.map { text throws in try Month.parse(text, field: "month") }
                ?? DomainCalendar.date(atMillis: nowMillis()).month
            let start = Date()
            let progress = ProgressLine()
            let (hub, nodes) = try await CountyGenerator(
                profile: chosen, seed: seed, directory: out, month: period, nowMillis: nowMillis(), name: name
            ).run { progress.update("generating: " + $0.trimmingCharacters(in: .whitespaces), force: true) }
            progress.finish()
            let status = try hub.replica.status()
            print(out + "/hub.db")
            print(
                String(
                    format: "%@: %d townships, %d households, %d members, %d enrollments, %d ops, in %.1f s",
                    chosen.name, nodes.count, status.counts[.household] ?? 0, status.counts[.member] ?? 0,
                    status.counts[.enrollment] ?? 0, status.logSize, Date().timeIntervalSince(start)))
            print("try: hearth hub report --db \(out)/hub.db --month \(period) --by township")
            // The nodes are registered and in sync but know no address: the hub's is given at their first sync.
            if let first = nodes.first {
                print(
                    "nodes: \(out)/<township>.db, registered; serve the hub, then: hearth node sync --db \(first.path) --hub URL"
                )
            }
        }
    }
}

import ArgumentParser
import HearthCore
import HearthLedger

/// `hearth hub verify`: walks every author's hash chain the hub holds and says whether each
/// op is the one its author made, in its place (docs/compaction.md, Chain checkpoints). By
/// default from each author's checkpoint, which costs what the log holds; `--archive` walks
/// the whole history. Exits 1 when anything does not verify, so a nightly job can alert.
struct HubVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: L("cmd.hub.verify.abstract"), discussion: L("cmd.hub.verify.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.hub.verify.archive")) var archive = false
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let found = try await hub.verifyChains(whole: archive)
            if json {
                try Output.json(ChainVerificationDocument(found))
            } else {
                print(
                    L(
                        found.whole ? "hub.verify.summary_whole" : "hub.verify.summary",
                        [
                            "authors": found.authors, "ops": found.opsChecked, "checkpoints": found.checkpoints,
                            "from": found.fromCheckpoints,
                        ]))
                print(L("hub.verify.heads", ["signed": found.signedHeads, "unsigned": found.unsignedTops]))
                for problem in found.problems {
                    print(
                        L(
                            "hub.verify.problem.\(problem.kind.rawValue)",
                            ["op": "\(problem.replica.value):\(problem.counter)", "through": problem.through]))
                }
            }
            guard found.isIntact else {
                throw CLIError.failed(L("hub.verify.broken", ["count": found.problems.count]))
            }
        }
    }
}

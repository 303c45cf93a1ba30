import ArgumentParser

/// The `hearth` command: one CLI for village and township nodes and the county hub.
@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: "Offline-first records for county social assistance (社会救助): households, members, enrollments.",
        discussion: """
            Every node keeps a full SQLite replica of its area and works without a network.
            Choose the replica with --db PATH or HEARTH_DB, and say who works with --worker ID or HEARTH_WORKER.
            \(ExitStatus.summary)
            """,
        version: HearthVersion.text,
        subcommands: [
            NodeCommand.self, HouseholdCommand.self, MemberCommand.self, EnrollCommand.self, ApproveCommand.self,
            RejectCommand.self, SuspendCommand.self, ResumeCommand.self, ExitCommand.self, EnrollmentCommand.self,
            DeathCommand.self, VisitCommand.self, ShowCommand.self, FindCommand.self, LogCommand.self,
            StatusCommand.self,
            ReportCommand.self, LeadCommand.self,
            StandardsCommand.self, SettingsCommand.self,
            HubCommand.self,
            BenchCommand.self, SimCommand.self, DemoCommand.self,
        ]
    )
}

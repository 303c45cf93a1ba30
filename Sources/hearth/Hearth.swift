import ArgumentParser

/// The `hearth` command: one CLI for village and township nodes and the county hub.
@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth",
        abstract: L("cmd.hearth.abstract"),
        discussion: L("cmd.hearth.discussion") + "\n" + ExitStatus.summary,
        version: HearthVersion.text,
        subcommands: [
            NodeCommand.self, HouseholdCommand.self, MemberCommand.self, EnrollCommand.self, ApproveCommand.self,
            RejectCommand.self, SuspendCommand.self, ResumeCommand.self, ExitCommand.self, EnrollmentCommand.self,
            DeathCommand.self, VisitCommand.self, ShowCommand.self, FindCommand.self, LogCommand.self,
            StatusCommand.self,
            ReportCommand.self, LeadCommand.self,
            StandardsCommand.self, SettingsCommand.self, DivisionsCommand.self,
            HubCommand.self,
            BenchCommand.self, SimCommand.self, DemoCommand.self,
        ]
    )
}

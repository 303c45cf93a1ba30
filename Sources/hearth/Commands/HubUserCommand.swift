import ArgumentParser
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore
import HearthText

struct HubUser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: L("cmd.hub.user.abstract"),
        discussion: L("cmd.hub.user.discussion"),
        subcommands: [UserAdd.self, UserList.self, UserDisable.self, UserPassword.self, UserLogout.self])
}

/// `--password-file` for the commands that set a password.
struct PasswordOptions: ParsableArguments {
    @Option(
        name: .customLong("password-file"),
        help: ArgumentHelp(L("opt.hub.user.password_file"), valueName: "path"))
    var passwordFile: String?
}

/// Who made a change to an account, for the audit: `--worker`, `HEARTH_WORKER`, or `cli`.
private func accountWorker(_ replica: HubReplicaOptions) -> String {
    let reader = replica.reader
    return reader == "unknown" ? "cli" : reader
}

struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: L("cmd.hub.user.add.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.user.name")) var name: String
    @Option(help: .text("opt.hub.user.role")) var role: String
    @Option(help: .text("opt.hub.user.township")) var township: String?
    @OptionGroup var password: PasswordOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            // The code as typed, or the role's name in either language (审核员).
            guard
                let role = Catalogue.code(named: role, field: "desk_role", among: DeskRole.allCases.map(\.rawValue))
                    .flatMap(DeskRole.init(rawValue:))
            else {
                throw CLIError.usage(L("error.hub.user.role"))
            }
            let checked = try DeskAccounts.checkName(name)
            let hub = try await replica.open()
            let secret = try PasswordInput.read(
                file: password.passwordFile, prompt: L("hub.user.password_prompt", ["name": checked]))
            let account = try await DeskAccounts(ledger: hub).add(
                name: checked, role: role, township: township, password: secret, worker: accountWorker(replica),
                nowMillis: nowMillis())
            if json {
                try Output.json(DeskUserListing(account))
                return
            }
            print(account.name)
            let roleName = valueName(role.rawValue, field: "desk_role")
            print(
                account.township.map {
                    L("hub.user.added_township", ["name": account.name, "role": roleName, "township": $0.value])
                } ?? L("hub.user.added", ["name": account.name, "role": roleName]))
        }
    }
}

struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.hub.user.list.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let accounts = try await DeskAccounts(ledger: try replica.open()).list()
            if json {
                try Output.json(accounts.map(DeskUserListing.init))
                return
            }
            if accounts.isEmpty {
                print(L("hub.user.none"))
                return
            }
            Output.table(
                [
                    L("hub.user.col_name"), L("hub.user.col_role"), L("hub.user.col_township"),
                    L("hub.user.col_created"), L("hub.user.col_password_set"), L("hub.user.col_state"),
                ],
                accounts.map(DeskUserListing.init).map {
                    [
                        $0.name, valueName($0.role, field: "desk_role"), $0.township ?? "", $0.created, $0.passwordSet,
                        valueName($0.state, field: "desk_state"),
                    ]
                })
        }
    }
}

struct UserDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: L("cmd.hub.user.disable.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.user.name")) var name: String

    func run() async throws {
        try await guardedAsync {
            try await DeskAccounts(ledger: try replica.open()).disable(
                name: name, worker: accountWorker(replica), nowMillis: nowMillis())
            print(name)
        }
    }
}

struct UserPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password", abstract: L("cmd.hub.user.password.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.user.name")) var name: String
    @OptionGroup var password: PasswordOptions

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let secret = try PasswordInput.read(
                file: password.passwordFile,
                prompt: L("hub.user.new_password_prompt", ["name": try DeskAccounts.checkName(name)]))
            try await DeskAccounts(ledger: hub).setPassword(
                name: name, password: secret, worker: accountWorker(replica), nowMillis: nowMillis())
            print(name)
        }
    }
}

struct UserLogout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: L("cmd.hub.user.logout.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.user.name")) var name: String
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let ended = try await DeskAccounts(ledger: try replica.open()).endSessions(
                name: name, worker: accountWorker(replica), nowMillis: nowMillis())
            if json {
                try Output.json(DeskLogoutDocument(name: name, ended: ended))
                return
            }
            print(name)
            print(L(ended == 1 ? "hub.user.session_ended" : "hub.user.sessions_ended", ["count": ended]))
        }
    }
}

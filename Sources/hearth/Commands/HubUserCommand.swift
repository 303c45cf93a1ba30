import ArgumentParser
import HearthCore
import HearthDesk
import HearthLedger
import HearthStore

struct HubUser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Accounts of the county desk in the browser (`hub serve`, /desk): add, list, disable, passwords.",
        discussion: """
            Roles: admin (everything), reviewer (the records of one township: --township CODE), auditor (reads
            everything, changes nothing). Passwords are read from a prompt with echo off, or from --password-file;
            the hub keeps only their bcrypt hash. Every change is written to the hub's audit (`hub audit`).
            """,
        subcommands: [UserAdd.self, UserList.self, UserDisable.self, UserPassword.self, UserLogout.self])
}

/// `--password-file` for the commands that set a password.
struct PasswordOptions: ParsableArguments {
    @Option(
        name: .customLong("password-file"),
        help: ArgumentHelp(
            "Read the password from this file's one line instead of a prompt (never from an argument).",
            valueName: "path"))
    var passwordFile: String?
}

/// Who made a change to an account, for the audit: `--worker`, `HEARTH_WORKER`, or `cli`.
private func accountWorker(_ replica: HubReplicaOptions) -> String {
    let reader = replica.reader
    return reader == "unknown" ? "cli" : reader
}

struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a desk account; prints its name on the first line.")
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "The account's name: 2 to 32 letters, digits, '.', '_' or '-'.") var name: String
    @Option(help: "admin, reviewer or auditor.") var role: String
    @Option(help: "A reviewer's township (9 digits); the other roles take none.") var township: String?
    @OptionGroup var password: PasswordOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard let role = DeskRole(rawValue: role) else {
                throw CLIError.usage("--role must be admin, reviewer or auditor")
            }
            let checked = try DeskAccounts.checkName(name)
            let hub = try replica.open()
            let secret = try PasswordInput.read(file: password.passwordFile, prompt: "password for \(checked)")
            let account = try await DeskAccounts(ledger: hub).add(
                name: checked, role: role, township: township, password: secret, worker: accountWorker(replica),
                nowMillis: nowMillis())
            if json {
                try Output.json(DeskUserListing(account))
                return
            }
            print(account.name)
            print(
                "desk account \(account.name) added: \(role.rawValue)"
                    + (account.township.map { " of township \($0.value)" } ?? "")
            )
        }
    }
}

struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the desk's accounts.")
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
                print("(no desk accounts: add one with `hearth hub user add --name NAME --role admin`)")
                return
            }
            Output.table(
                ["name", "role", "township", "created (+08:00)", "password set (+08:00)", "state"],
                accounts.map(DeskUserListing.init).map {
                    [$0.name, $0.role, $0.township ?? "", $0.created, $0.passwordSet, $0.state]
                })
        }
    }
}

struct UserDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable a desk account and end its sessions; prints its name.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The account's name.") var name: String

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
        commandName: "password", abstract: "Set a desk account's password and end its sessions; prints its name.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The account's name.") var name: String
    @OptionGroup var password: PasswordOptions

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let secret = try PasswordInput.read(
                file: password.passwordFile, prompt: "new password for \(try DeskAccounts.checkName(name))")
            try await DeskAccounts(ledger: hub).setPassword(
                name: name, password: secret, worker: accountWorker(replica), nowMillis: nowMillis())
            print(name)
        }
    }
}

struct UserLogout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "End every session of a desk account; prints its name, then how many ended.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The account's name.") var name: String
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
            print("\(ended) session\(ended == 1 ? "" : "s") ended")
        }
    }
}

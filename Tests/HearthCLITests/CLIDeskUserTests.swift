import Foundation
import GRDB
import HearthCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `hearth hub user …`: the desk's accounts from the command line, and the desk served by
/// `hearth hub serve`.
@Suite("The desk's accounts from the hearth CLI")
struct CLIDeskUserTests {
    static let password = "correct-horse-battery"

    /// A hub database and a file holding the password, as an operator would write it.
    func hub() async throws -> (cli: CLIRunner, db: String, passwordFile: String) {
        let cli = try CLIRunner()
        let db = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", db, "--name", "宜城", "--scope", "421281"])
        let file = cli.directory + "/password"
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: file))
        return (cli, db, file)
    }

    @Test("hub user add prints the name first, keeps only a bcrypt hash and audits the change")
    func add() async throws {
        let (cli, db, file) = try await hub()
        let added = try await cli.ok([
            "hub", "user", "add", "--db", db, "--name", "wang", "--role", "admin", "--password-file", file,
        ])
        #expect(added.firstLine == "wang")
        #expect(!added.stdout.contains(Self.password) && !added.stderr.contains(Self.password))
        let json = try #require(
            try await cli.ok([
                "hub", "user", "add", "--db", db, "--name", "li", "--role", "reviewer", "--township", "421281101",
                "--password-file", file, "--json",
            ]).json)
        #expect(json["name"]?.stringValue == "li" && json["township"]?.stringValue == "421281101")
        #expect(json["state"]?.stringValue == "active" && json["password_hash"] == nil)
        let queue = try DatabaseQueue(path: db)
        let hashes = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT password_hash FROM desk_accounts")
        }
        #expect(hashes.count == 2 && hashes.allSatisfy { $0.hasPrefix("$2b$12$") && $0.count == 60 })
        let audit = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT worker, action, record, field FROM audit ORDER BY seq")
        }
        #expect(audit.map { $0["action"] as String } == ["desk account add", "desk account add"])
        #expect(audit.map { $0["record"] as String } == ["wang", "li"])
        #expect(audit.allSatisfy { ($0["worker"] as String) == "w-test" })
        try queue.close()
        // Nowhere in the database file in clear.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(bytes.range(of: Data(Self.password.utf8)) == nil)
    }

    @Test("hub user add refuses what it cannot keep: roles and townships, names, passwords, a node's database")
    func refusals() async throws {
        let (cli, db, file) = try await hub()
        let short = cli.directory + "/short"
        try Data("short\n".utf8).write(to: URL(fileURLWithPath: short))
        let cases: [([String], Int32, String)] = [
            (["--name", "li", "--role", "reviewer", "--password-file", file], 65, "--township"),
            (["--name", "li", "--role", "reviewer", "--township", "421281", "--password-file", file], 65, "9-digit"),
            (["--name", "li", "--role", "reviewer", "--township", "420000101", "--password-file", file], 65, "county"),
            (
                ["--name", "wang", "--role", "admin", "--township", "421281101", "--password-file", file], 65,
                "only a reviewer"
            ),
            (["--name", "wang", "--role", "boss", "--password-file", file], 2, "admin, reviewer or auditor"),
            (["--name", "w", "--role", "admin", "--password-file", file], 65, "2 to 32"),
            (["--name", "wang", "--role", "admin", "--password-file", short], 65, "at least 10"),
            (["--name", "wang", "--role", "admin", "--password-file", cli.directory + "/none"], 2, "cannot read"),
            // No terminal to ask on, and no file: refused, not read from a pipe.
            (["--name", "wang", "--role", "admin"], 2, "--password-file"),
        ]
        for (arguments, status, message) in cases {
            let result = try await cli.run(["hub", "user", "add", "--db", db] + arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains(Self.password), "\(arguments): the password was printed")
        }
        try await cli.ok([
            "hub", "user", "add", "--db", db, "--name", "wang", "--role", "admin", "--password-file", file,
        ])
        let again = try await cli.run([
            "hub", "user", "add", "--db", db, "--name", "Wang", "--role", "auditor", "--password-file", file,
        ])
        #expect(again.status == 65 && again.stderr.contains("exists already"))
        // A node's replica is not the hub's.
        let node = cli.directory + "/node.db"
        let token = try await cli.ok(["hub", "enroll", "--db", db, "--name", "xinzhuang", "--scope", "421281101001"])
            .firstLine
        try await cli.ok(["node", "init", "--db", node, "--token", token])
        let onNode = try await cli.run([
            "hub", "user", "add", "--db", node, "--name", "zhao", "--role", "admin", "--password-file", file,
        ])
        #expect(onNode.status == 2 && onNode.stderr.contains("not the county hub's"))
        #expect(try await cli.ok(["hub", "user", "list", "--db", db, "--json"]).json?.arrayValue?.count == 1)
    }

    @Test("hub user list, disable, password and logout")
    func manage() async throws {
        let (cli, db, file) = try await hub()
        try await cli.ok([
            "hub", "user", "add", "--db", db, "--name", "wang", "--role", "admin", "--password-file", file,
        ])
        try await cli.ok([
            "hub", "user", "add", "--db", db, "--name", "zhao", "--role", "auditor", "--password-file", file,
        ])
        let text = try await cli.ok(["hub", "user", "list", "--db", db]).stdout
        #expect(text.contains("wang") && text.contains("auditor") && !text.contains("$2b$"))

        #expect(try await cli.ok(["hub", "user", "disable", "--db", db, "zhao"]).firstLine == "zhao")
        let listed = try #require(try await cli.ok(["hub", "user", "list", "--db", db, "--json"]).json?.arrayValue)
        #expect(listed.map { $0["state"]?.stringValue } == ["active", "disabled"])
        #expect(listed[1]["disabled"]?.stringValue != nil && listed[0]["disabled"] == .null)

        let other = cli.directory + "/other"
        try Data("another-long-password\r\n".utf8).write(to: URL(fileURLWithPath: other))
        let queue = try DatabaseQueue(path: db)
        let before = try await queue.read {
            try String.fetchOne($0, sql: "SELECT password_hash FROM desk_accounts WHERE name = 'wang'")
        }
        #expect(
            try await cli.ok(["hub", "user", "password", "--db", db, "wang", "--password-file", other]).firstLine
                == "wang")
        let after = try await queue.read {
            try String.fetchOne($0, sql: "SELECT password_hash FROM desk_accounts WHERE name = 'wang'")
        }
        #expect(before != nil && after != nil && before != after)

        let logout = try await cli.ok(["hub", "user", "logout", "--db", db, "wang"])
        #expect(logout.firstLine == "wang" && logout.stdout.contains("0 sessions ended"))
        #expect(
            try await cli.ok(["hub", "user", "logout", "--db", db, "wang", "--json"]).json?["ended"]?.integerValue == 0)
        for verb in [["disable", "li"], ["logout", "li"], ["password", "li", "--password-file", other]] {
            let unknown = try await cli.run(["hub", "user"] + verb + ["--db", db])
            #expect(unknown.status == 65 && unknown.stderr.contains("no desk account named li"), "\(verb)")
        }
        let actions = try await queue.read { try String.fetchAll($0, sql: "SELECT action FROM audit ORDER BY seq") }
        #expect(
            actions == [
                "desk account add", "desk account add", "desk account disable", "desk password set",
                "desk sessions ended", "desk sessions ended",
            ])
        try queue.close()
    }

    @Test("hearth hub serve serves the desk's login page and stylesheet under /desk, in Chinese or on ?lang=en English")
    func served() async throws {
        let (cli, db, _) = try await hub()
        let (process, url) = try await CLIRunner.startHub(database: db)
        defer {
            process.terminate()
            process.waitUntilExit()
            // The runner owns the hub's directory: it goes once the hub has ended, not before.
            withExtendedLifetime(cli) {}
        }
        var chinese = URLRequest(url: URL(string: url + "/desk/login")!)
        chinese.setValue("zh-CN,zh;q=0.9", forHTTPHeaderField: "Accept-Language")
        let (page, response) = try await URLSession.shared.data(for: chinese)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let html = String(decoding: page, as: UTF8.self)
        #expect(html.contains(#"<html lang="zh-CN">"#) && html.contains("登录") && html.contains(#"name="csrf""#))
        let (english, switched) = try await URLSession.shared.data(from: URL(string: url + "/desk/login?lang=en")!)
        #expect(String(decoding: english, as: UTF8.self).contains("Log in"))
        let cookie = (switched as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie") ?? ""
        #expect(cookie.contains("hearth_desk_lang=en"), "the switch is not remembered: \(cookie)")
        let (css, styled) = try await URLSession.shared.data(from: URL(string: url + "/desk/assets/desk.css")!)
        #expect((styled as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/css") == true)
        #expect(String(decoding: css, as: UTF8.self).contains("table"))
    }
}

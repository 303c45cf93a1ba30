import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestPostgres
import HearthStore
import Testing

/// The PostgreSQL storage's own behaviour, beside the conformance suites: where a store is
/// written, how a hub is made and opened there, and what is refused.
@Suite("The hub's storage on PostgreSQL")
struct PostgresStorageTests {
    @Test("A store's location is read from its URL; the password never shows")
    func locations() throws {
        let tcp = try PostgresLocation.parse("postgres://hearth:s3cret@db.county.local:6543/county")
        #expect(tcp.user == "hearth" && tcp.password == "s3cret" && tcp.host == "db.county.local")
        #expect(tcp.port == 6543 && tcp.database == "county" && tcp.socketDirectory == nil)
        #expect(tcp.description == "postgres://hearth@db.county.local:6543/county")
        #expect(!tcp.description.contains("s3cret"))
        let socket = try PostgresLocation.parse("postgresql://postgres@/hub?host=/var/run/postgresql")
        #expect(socket.socketDirectory == "/var/run/postgresql" && socket.host == nil && socket.port == 5432)
        #expect(socket.database == "hub" && socket.password == nil)
        #expect(PostgresLocation.names("postgres://a@b/c") && !PostgresLocation.names("county.db"))
        // Each refusal names the field and what is missing, never the password.
        let refused: [(String, String)] = [
            ("county.db", "postgres.location_form"),
            ("postgres://db.local/county", "postgres.location_user"),
            ("postgres://hearth:pw@db.local/", "postgres.location_database"),
            ("postgres://hearth:pw@db.local:0/county", "postgres.location_port"),
            ("postgres://hearth:pw@db.local/county?sslmode=off", "postgres.location_query"),
            ("postgres://hearth:pw@/county", "postgres.location_host"),
        ]
        for (text, key) in refused {
            let error = #expect(throws: InputError.self) { try PostgresLocation.parse(text) }
            #expect(error == InputError(field: "store", key), "\(text)")
            #expect(error?.description.contains("pw") == false, "\(text)")
        }
    }

    @Test("A hub is made once in a database, opened with its key only, and keeps its identity")
    func createAndOpen() async throws {
        let hub = try await FreshPostgresHub(name: "county hub")
        let server = try await PostgresServer.shared()
        let (location, directory, keyPath) = (hub.location, hub.directory, hub.keyPath)
        let scope = try ScopePrefix.parse(Fixture.county, field: "scope")
        let made = hub.storage
        #expect(made.info.role == .hub && made.info.writer == made.info.id)
        await made.close()

        let opened = try await PostgresLedgerStorage.open(location: location, keyPath: keyPath, nowMillis: 1)
        #expect(opened.info == made.info)
        await opened.close()

        // A second hub in the same database: refused, and the key file asked for is not written.
        let otherKey = directory.appendingPathComponent("other.key").path
        let twice = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.create(
                location: location, keyPath: otherKey, name: "again", scope: scope, nowMillis: 2)
        }
        guard case .alreadyExists(let named) = twice, named == location.description else {
            Issue.record("a second hub in one database: \(String(describing: twice))")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: otherKey))
        // Another county's key: refused by its check value.
        let stranger = directory.appendingPathComponent("stranger.key").path
        try KeyFile.create(.generate(), at: stranger)
        let wrongKey = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.open(location: location, keyPath: stranger, nowMillis: 3)
        }
        guard case .key(.wrongKey) = wrongKey else {
            Issue.record("another county's key: \(String(describing: wrongKey))")
            return
        }
        // A database with no hub in it: said so, by its location without the password.
        let empty = try await server.freshDatabase()
        let error = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.open(location: empty, keyPath: keyPath, nowMillis: 4)
        }
        #expect(error.map { "\($0)" }?.contains("hearth hub init") == true)
    }

    @Test("A database migrated by a newer Hearth is refused, not written")
    func newerSchemaRefused() async throws {
        let hub = try await FreshPostgresHub()
        let server = try await PostgresServer.shared()
        let (location, keyPath) = (hub.location, hub.keyPath)
        await hub.storage.close()
        try await server.sql(location, "INSERT INTO hearth_migrations VALUES (999, 'from the future', 0)")
        let error = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.open(location: location, keyPath: keyPath, nowMillis: 5)
        }
        #expect(error.map { "\($0)" }?.contains("version 999") == true)
    }

    @Test(
        "A server that is not there, or a database it does not have, is an error naming the store, never a wait",
        .timeLimit(.minutes(10)))
    func unreachable() async throws {
        let server = try await PostgresServer.shared()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-pg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("hub.key").path
        let scope = try ScopePrefix.parse(Fixture.county, field: "scope")
        // Nothing listens on port 1; the password is in the URL and must not be in the error.
        let nowhere = try PostgresLocation.parse("postgres://postgres:hunter2@127.0.0.1:1/county")
        let refused = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.create(
                location: nowhere, keyPath: keyPath, name: "hub", scope: scope, nowMillis: 1)
        }
        let said = refused.map { "\($0)" } ?? ""
        #expect(said.contains("postgres://postgres@127.0.0.1:1/county") && !said.contains("hunter2"), "\(said)")
        #expect(said.contains("refused"), "the connection's own error: \(said)")
        #expect(!FileManager.default.fileExists(atPath: keyPath))
        // The server is there, the database is not: the server's own words.
        let missing = server.location(database: "no_such_county")
        let absent = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.create(
                location: missing, keyPath: keyPath, name: "hub", scope: scope, nowMillis: 1)
        }
        let words = absent.map { "\($0)" } ?? ""
        #expect(words.contains("no_such_county") && words.contains("does not exist"), "\(words)")
    }

    @Test("A database that orders text by a language's rules is refused, naming how to make one in byte order")
    func textOrder() async throws {
        let server = try await PostgresServer.shared()
        let name = "hearth_icu_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await server.sql(
            server.location(database: "postgres"),
            "CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-icu-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("hub.key").path
        let refused = await #expect(throws: ReplicaError.self) {
            try await PostgresLedgerStorage.create(
                location: server.location(database: name), keyPath: keyPath, name: "hub",
                scope: try ScopePrefix.parse(Fixture.county, field: "scope"), nowMillis: 1)
        }
        let words = refused.map { "\($0)" } ?? ""
        #expect(words.contains("createdb --locale=C --template=template0 \(name)"), "\(words)")
        #expect(!FileManager.default.fileExists(atPath: keyPath), "no key file for a hub not made")
        // The tests' own databases are made in byte order, and are taken.
        let hub = try await FreshPostgresHub()
        await hub.storage.close()
    }
}

import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestPostgres
import HearthTestSupport

/// A county hub made in a fresh database of the tests' server, its key file in a directory of
/// its own that goes when the hub does, or when making the hub fails.
final class FreshPostgresHub: Sendable {
    private let temporary = TemporaryDirectories()
    let location: PostgresLocation
    let directory: URL
    let keyPath: String
    let storage: PostgresLedgerStorage

    init(name: String = "hub") async throws {
        let server = try await PostgresServer.shared()
        location = try await server.freshDatabase()
        directory = URL(fileURLWithPath: try temporary.make("hearth-pg"), isDirectory: true)
        keyPath = directory.appendingPathComponent("hub.key").path
        storage = try await PostgresLedgerStorage.create(
            location: location, keyPath: keyPath, name: name,
            scope: try ScopePrefix.parse(Fixture.county, field: "scope"), nowMillis: Fixture.start)
    }
}

import Foundation
import HearthCore
import HearthLedgerPostgres
import HearthTestPostgres

/// A county hub made in a fresh database of the tests' server, its key file in a directory of
/// its own that goes when the hub does.
final class FreshPostgresHub: Sendable {
    let location: PostgresLocation
    let directory: URL
    let keyPath: String
    let storage: PostgresLedgerStorage

    init(name: String = "hub") async throws {
        let server = try await PostgresServer.shared()
        location = try await server.freshDatabase()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-pg-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        keyPath = directory.appendingPathComponent("hub.key").path
        storage = try await PostgresLedgerStorage.create(
            location: location, keyPath: keyPath, name: name,
            scope: try ScopePrefix.parse(Fixture.county, field: "scope"), nowMillis: Fixture.start)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

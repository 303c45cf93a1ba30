import HearthStore
import HearthText
import PostgresNIO

extension PostgresDatabase {
    /// Refuses a database that orders text by a language's rules instead of by bytes.
    ///
    /// Why: the engine's reads and the desk's lists order and compare text (ids, names, months,
    /// rule cases' sort keys) as SQLite does, byte by byte; a database made with another
    /// locale (`en_US.UTF-8`, or an ICU locale) would list the same county in another order on
    /// PostgreSQL than on SQLite, and `hub migrate` would move a hub into answers that differ.
    /// `C`, `POSIX` and the C locale in UTF-8 order by bytes (code points, for UTF-8).
    func checkByteOrder() async throws(ReplicaError) {
        let logger = logger
        let found = try await transaction { connection in
            try await connection.row(
                """
                SELECT datlocprovider::text, datcollate FROM pg_database WHERE datname = current_database()
                """, as: (String, String).self, logger: logger)
        }
        guard let (provider, collation) = found else { return }
        let byBytes = ["c", "posix", "c.utf8", "c.utf-8"]
        guard provider == "c", byBytes.contains(collation.lowercased()) else {
            throw .notAReplica(
                path: location.description,
                reason: Catalogue.text(
                    "postgres.collation",
                    ["collation": provider == "c" ? collation : "ICU", "database": location.database]))
        }
    }
}

import GRDB

extension DatabaseFiles {
    /// Copies a database through SQLite's backup, reading it over a read-only connection: the
    /// copy is consistent, and the original is neither migrated nor written (a bench serves and
    /// changes the copy of a county it was given).
    package static func copyUnopened(from source: String, to destination: String) throws(ReplicaError) {
        SQLiteProcess.prepare()
        do {
            var readOnly = Configuration()
            readOnly.readonly = true
            try createOwnerOnly(destination)
            try DatabaseQueue(path: source, configuration: readOnly).backup(to: DatabaseQueue(path: destination))
        } catch let error as ReplicaError { throw error } catch { throw .database(String(describing: error)) }
    }
}

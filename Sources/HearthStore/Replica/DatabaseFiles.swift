import Foundation

/// A replica's files on disk are readable by their owner only (mode 0600).
///
/// A database holds the county's records: names, addresses, who is on which benefit, the op log,
/// and on a node that syncs by file its pending registration. ID and card numbers are sealed, the
/// rest is not, so another account on the same machine must not read it. SQLite creates a
/// database with the process's default mode (0644 under the usual umask) and gives its `-wal`
/// and `-shm` files the database file's mode, so the database file is made 0600 before SQLite
/// first opens it, and the files of a database made before this rule are set to 0600 when it
/// is opened.
package enum DatabaseFiles {
    /// The database file and the files SQLite keeps beside it.
    package static let suffixes = ["", "-wal", "-shm", "-journal"]

    /// Creates an empty database file with mode 0600 (SQLite takes an empty file for a new
    /// database); refuses an existing file.
    package static func createOwnerOnly(_ path: String) throws(ReplicaError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .alreadyExists(path: path) }
            throw .database("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        // The mode given to open is masked by the umask; 0600 survives any usual umask, but say it.
        let changed = fchmod(fd, 0o600)
        close(fd)
        guard changed == 0 else { throw .permissions(path: path, mode: "?", reason: String(cString: strerror(errno))) }
    }

    /// Sets every existing file of the database at `path` to 0600 when others could read it.
    package static func restrictToOwner(_ path: String) throws(ReplicaError) {
        for file in suffixes.map({ path + $0 }) {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            guard chmod(file, 0o600) == 0 else {
                throw .permissions(
                    path: file, mode: String(info.st_mode & 0o777, radix: 8), reason: String(cString: strerror(errno)))
            }
        }
    }
}

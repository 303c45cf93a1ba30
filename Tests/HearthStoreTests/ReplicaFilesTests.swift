import Foundation
import HearthCore
import Testing

@testable import HearthStore
import HearthTestSupport

@Suite("A replica's files and keys on disk")
struct ReplicaFilesTests {
    static let now: Int64 = 1_795_600_000_000
    static let village = "421281101001"

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func temporaryDirectory() throws -> String {
        try temporary.make("hearth-files")
    }

    func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o777
    }

    func create(_ path: String, keys: KeyMaterial = .generate()) throws -> Replica {
        try Replica.create(
            path: path, name: "v", scope: try ScopePrefix.parse(Self.village, field: "scope"),
            nowMillis: Self.now, keys: keys)
    }

    func addHousehold(_ replica: Replica) throws {
        var input = HouseholdInput()
        input.village = Self.village
        input.address = "一组"
        input.type = "rural"
        _ = try replica.addHousehold(input, author: "w1", nowMillis: Self.now)
    }

    @Test("a new database, its -wal and -shm files and its key file are readable by their owner only")
    func createdOwnerOnly() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/v.db"
        // Under the usual umask (022) SQLite would create 0644 files.
        let replica = try create(path)
        try addHousehold(replica)
        for file in [path, path + "-wal", path + "-shm", path + ".key"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) exists while the replica is open")
            #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
        }
        // A backup holds the same records.
        try replica.backup(to: directory + "/copy.db")
        #expect(mode(directory + "/copy.db") == 0o600)
    }

    @Test("erasing a delivered registration leaves the writer's secure_delete as it was, off or fast")
    func registrationErasureKeepsSetting() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/v.db"
        let replica = try create(path)
        let secret = "enrol-" + String(repeating: "7q", count: 20)
        try replica.setHub(
            replica: ReplicaID("hub-1"), key: "k", url: nil, pendingRegistration: secret + "\nvillage-001")
        try addHousehold(replica)
        // Whatever this build's default, the setting the connection had is the one it keeps.
        for setting in [0, 2] {
            try replica.pool.writeWithoutTransaction {
                try $0.execute(sql: "PRAGMA secure_delete = \(setting == 2 ? "FAST" : "\(setting)")")
            }
            try replica.setHub(
                replica: ReplicaID("hub-1"), key: "k", url: nil, pendingRegistration: secret + "\nvillage-001")
            try replica.clearPendingRegistration()
            #expect(try replica.syncState().pendingRegistration == nil)
            let after = try replica.pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA secure_delete") }
            #expect(after == setting, "the writer's secure_delete was \(setting), is \(after ?? -1)")
        }
    }

    @Test("a database made with looser modes is set to 0600, -wal and -shm included, when it is opened")
    func existingFilesRestricted() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/v.db"
        let replica = try create(path)
        try addHousehold(replica)
        for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o644) }
        #expect(mode(path) == 0o644)
        let reopened = try Replica.open(path: path)
        try addHousehold(reopened)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
        }
    }

    @Test("a key file from another replica of the same county is refused, naming the file and what to do")
    func otherReplicasKeyRefused() throws {
        let directory = try temporaryDirectory()
        let county = KeyMaterial.generate()
        _ = try create(directory + "/a.db", keys: county.withNewSigningKey())
        _ = try create(directory + "/b.db", keys: county.withNewSigningKey())
        do {
            _ = try Replica.open(path: directory + "/a.db", keyPath: directory + "/b.db.key")
            Issue.record("a's database opened with b's key file")
        } catch {
            let message = String(describing: error)
            #expect(message.contains("key file \(directory)/b.db.key"), "\(message)")
            #expect(message.contains("another replica of this county"), "\(message)")
            #expect(message.contains("--key-file"), "\(message)")
            #expect(message.contains(directory + "/a.db.key"), "the right file's default place: \(message)")
        }
        // The same key given inline (HEARTH_KEY) is refused the same way.
        let inline = try String(contentsOfFile: directory + "/b.db.key", encoding: .utf8)
        #expect(throws: ReplicaError.self) {
            try Replica.open(path: directory + "/a.db", environment: ["HEARTH_KEY": inline])
        }
        // Its own key file still opens it.
        #expect(try Replica.open(path: directory + "/a.db").info.name == "v")
    }
}

import Foundation
import Synchronization

/// Directories a test makes in the system's temporary directory, each removed with everything
/// in it when this goes, whether the test passed, failed or threw: runs of the suite left
/// thousands of directories, gigabytes, in /tmp.
///
/// A suite keeps one as a stored property (Swift Testing makes a suite's instance for each
/// test and releases it when the test ends); a value copied around keeps one too, and the
/// directories go with its last copy. Keep it at least as long as anything that uses the
/// directories: an open replica, a process started on a file in them. One class in a target of
/// its own, which every test target that makes directories depends on.
public final class TemporaryDirectories: Sendable {
    private let made = Mutex<[String]>([])

    public init() {}

    /// A fresh, empty directory named `prefix-UUID` in the system's temporary directory.
    public func make(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        made.withLock { $0.append(path) }
        return path
    }

    deinit {
        for path in made.withLock({ $0 }) { Self.remove(path) }
    }

    /// Removes `path` and everything in it, trying again when a try leaves it: a process ending
    /// on files there (a hub closing its database deletes its -wal file) can take a file away
    /// while a try walks the directory.
    public static func remove(_ path: String) {
        for _ in 0..<3 where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

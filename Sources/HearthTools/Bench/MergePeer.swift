import Foundation
import HearthText

/// The merge bench's peer, pygeodiff, run in the same run on the same field changes.
///
/// The bench writes the changesets (``PeerChangeset``) and an empty copy of the raw baseline's
/// table, then runs `scripts/bench-merge-peer.py` with `python3`: it applies them with
/// `GeoDiff.apply_changeset`, times only that, and checks the rows it ends with are the raw
/// baseline's. The peer is optional: without python3, the script or pygeodiff
/// (`scripts/install-bench-peers.sh` installs it) the bench says which is missing and goes on.
public struct MergePeer: Sendable {
    /// What the peer measured.
    public struct Result: Sendable, Equatable {
        public let name: String
        public let version: String
        /// Changeset entries it applied: one per op.
        public let entries: Int
        public let seconds: Double
    }

    /// Whether the peer ran, and if not why.
    public enum Outcome: Sendable, Equatable {
        case ran(Result)
        case absent(String)
    }

    /// The helper script, in the repository's `scripts/`.
    public static let scriptName = "bench-merge-peer.py"

    /// The python program, then any arguments it takes before the script.
    let python: [String]?
    let script: String?

    /// `script` nil: looked for in `scripts/` above the running executable (a build in the
    /// repository's `.build`), then in the repository this file was built from.
    public init(python: [String]? = MergePeer.findPython(), script: String? = nil) {
        self.python = python.flatMap { $0.isEmpty ? nil : $0 }
        self.script = script ?? MergePeer.findScript()
    }

    /// `python3` on PATH, or what `HEARTH_BENCH_PYTHON` names: a program, and any arguments
    /// for it after spaces (`/usr/bin/python3 -S`: a python without site packages, which the
    /// tests use instead of a wrapper script they would write and run at once, racing a
    /// concurrent fork that holds the new file open: "Text file busy").
    public static func findPython() -> [String]? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["HEARTH_BENCH_PYTHON"] {
            let words = chosen.split(separator: " ").map(String.init)
            if !words.isEmpty { return words }
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return [candidate] }
        }
        return nil
    }

    static func findScript() -> String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        var candidates: [String] = []
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent("scripts/\(scriptName)").path)
            directory.deleteLastPathComponent()
        }
        // Sources/HearthTools/Bench/MergePeer.swift: the repository is four levels up.
        var source = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { source.deleteLastPathComponent() }
        candidates.append(source.appendingPathComponent("scripts/\(scriptName)").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Applies `changesets` in order to a copy of `base` in `directory`, checking the result
    /// against `expected`.
    func run(base: String, changesets: [String], expected: String, directory: String) throws(MergeBenchError)
        -> Outcome
    {
        guard let python else { return .absent(Catalogue.text("bench.peer.no_python")) }
        guard let script else {
            return .absent(Catalogue.text("bench.peer.no_script", ["script": MergePeer.scriptName]))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments =
            Array(python.dropFirst())
            + [script, "--base", base, "--expected", expected, "--work", directory + "/peer-work.db"] + changesets
        let output = Pipe()
        // Its complaints go to a file: geodiff may log a line per change it refuses, more than
        // a pipe holds while this side reads the other one.
        let complaints = directory + "/peer-stderr.txt"
        guard FileManager.default.createFile(atPath: complaints, contents: nil),
            let errors = FileHandle(forWritingAtPath: complaints)
        else { throw .peerFailed(Catalogue.text("bench.peer.cannot_create", ["path": complaints])) }
        defer { try? errors.close() }
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw .peerFailed(Catalogue.text("bench.peer.cannot_start", ["program": python[0], "error": "\(error)"]))
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let complaint = (try? String(contentsOfFile: complaints, encoding: .utf8)) ?? ""
        if process.terminationStatus == 3 {
            return .absent(Catalogue.text("bench.peer.not_installed"))
        }
        guard process.terminationStatus == 0 else {
            throw .peerFailed(
                Catalogue.text(
                    "bench.peer.exited",
                    ["status": "\(process.terminationStatus)", "complaint": String(complaint.suffix(2000))]))
        }
        struct Printed: Decodable {
            let peer: String
            let version: String
            let entries: Int
            let seconds: Double
            let matchesExpected: Bool
            enum CodingKeys: String, CodingKey {
                case peer, version, entries, seconds
                case matchesExpected = "matches_expected"
            }
        }
        guard let result = try? JSONDecoder().decode(Printed.self, from: printed) else {
            let text = String(String(decoding: printed, as: UTF8.self).prefix(2000))
            throw .peerFailed(Catalogue.text("bench.peer.no_result", ["printed": text]))
        }
        guard result.matchesExpected else { throw .peerDiffers }
        return .ran(
            Result(name: result.peer, version: result.version, entries: result.entries, seconds: result.seconds))
    }
}

/// Why `hearth bench merge` stopped.
public enum MergeBenchError: Error, Equatable, CustomStringConvertible {
    /// The peer's script failed or printed something else than its result.
    case peerFailed(String)
    /// The peer's rows differ from the raw baseline's: it did not apply the same field changes.
    case peerDiffers
    /// The peer applied another number of changes than the bench made.
    case peerCounted(entries: Int, ops: Int)

    public var description: String {
        switch self {
        case .peerFailed(let reason): Catalogue.text("bench.peer.failed", ["reason": reason])
        case .peerDiffers: Catalogue.text("bench.peer.differs")
        case .peerCounted(let entries, let ops):
            Catalogue.text("bench.peer.counted", ["entries": "\(entries)", "ops": "\(ops)"])
        }
    }
}

import HearthCore

/// Everything that can stop a replica command, worded for the person at the keyboard.
public enum ReplicaError: Error, Sendable, CustomStringConvertible {
    case alreadyExists(path: String)
    /// A file a command writes (`path`, for its `--out` file `out`) exists already: output files
    /// are never written over, and nothing of the output was written.
    case outputExists(path: String, out: String)
    case notFound(path: String)
    case notAReplica(path: String, reason: String)
    case key(KeyError)
    case invalid(InputError)
    case unknownRecord(String)
    case wrongRecordType(id: String, expected: RecordType)
    case outsideScope(record: String, village: String, scope: String)
    case refused(String)
    case fork(dot: Dot)
    /// This node's database is a copy (or an old backup): the hub holds other ops under its ids.
    case copied(String)
    case malformedOp(dot: String, reason: String)
    /// A push would leave more of one node's ops waiting at the hub than it keeps for anyone.
    case tooManyWaiting(count: Int, bound: Int)
    case database(String)
    /// A database file others can read, which could not be made owner-only.
    case permissions(path: String, mode: String, reason: String)
    /// A database of the other role: a node's opened as the hub's ledger, or the reverse.
    case otherRole(path: String, info: ReplicaInfo)

    public var description: String {
        switch self {
        case .alreadyExists(let path):
            return "\(path) already exists; a replica is never overwritten (choose another --db path)"
        case .outputExists(let path, let out):
            let which = path == out ? "\(path) already exists" : "\(path) (a file of --out \(out)) already exists"
            return "\(which): Hearth never writes over an existing file, and nothing was written "
                + "(choose another --out path)"
        case .notFound(let path):
            return "no replica database at \(path); create one with `hearth node init --db \(path) ...`"
        case .notAReplica(let path, let reason): return "\(path) is not a Hearth replica: \(reason)"
        case .key(let error): return error.description
        case .invalid(let error): return error.description
        case .unknownRecord(let id): return "no record \(id) on this replica"
        case .wrongRecordType(let id, let expected): return "\(id) is not a \(expected.rawValue)"
        case .outsideScope(let record, let village, let scope):
            return "\(record): village \(village) is outside this replica's scope \(scope)"
        case .refused(let reason): return reason
        case .fork(let dot):
            return "op \(dot) arrived with different content than the op already held under that dot: "
                + "a copied or restored database (a fork); nothing was applied"
        case .copied(let reason):
            return
                "\(reason). Nothing was recorded; run `hearth node reidentify` (with a new token from the county) before syncing"
        case .malformedOp(let dot, let reason): return "op \(dot) refused: \(reason)"
        case .tooManyWaiting(let count, let bound):
            return "this push would leave \(count) of the node's ops waiting at the hub for ops it does not hold "
                + "(at most \(bound) may wait); nothing of it was applied. The county settles the node's "
                + "quarantined ops first (`hearth hub quarantine`), then the node syncs again"
        case .database(let reason): return "database error: \(reason)"
        case .otherRole(let path, let info):
            switch info.role {
            case .node:
                return "\(path) is a node's replica (\(info.name), scope \(info.scope.value)), not the county hub's: "
                    + "`hearth hub` commands work on the hub's database only"
            case .hub:
                return "\(path) is the county hub's database (\(info.name), scope \(info.scope.value)), "
                    + "not a node's replica: it opens as the hub"
            }
        case .permissions(let path, let mode, let reason):
            return "\(path) is readable by others (mode \(mode)) and could not be made readable by its owner only "
                + "(\(reason)); run: chmod 600 \(path), as the user who owns it"
        }
    }
}

import HearthCore
import HearthText

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
    /// A record this node let go with a household archived before the county's retention
    /// (docs/compaction.md, "Archived households on a node"): the hub holds it.
    case letGo(id: String, household: String)
    case wrongRecordType(id: String, expected: RecordType)
    case outsideScope(record: String, village: String, scope: String)
    case refused(String)
    case fork(dot: Dot)
    /// This node's database is a copy (or an old backup): the hub holds other ops under its ids.
    case copied(String)
    case malformedOp(dot: String, reason: String)
    /// A push would leave more of one node's ops waiting at the hub than it keeps for anyone.
    case tooManyWaiting(count: Int, bound: Int)
    /// A pull from below what compaction archived of the node's scope: the log no longer holds
    /// all of it, and the node starts from a snapshot (`409 snapshot_required`).
    case snapshotRequired(cursor: Int64, archived: Int64)
    case database(String)
    /// A database file others can read, which could not be made owner-only.
    case permissions(path: String, mode: String, reason: String)
    /// A database of the other role: a node's opened as the hub's ledger, or the reverse.
    case otherRole(path: String, info: ReplicaInfo)
    /// What still needs the hub's SQLite file, asked of a hub kept on a database server
    /// (`store` describes it, without a password).
    case notOnServer(store: String)

    public var description: String {
        switch self {
        case .alreadyExists(let path): return Catalogue.text("replica.already_exists", ["path": path])
        case .outputExists(let path, let out):
            let which =
                path == out
                ? Catalogue.text("replica.output_exists_path", ["path": path])
                : Catalogue.text("replica.output_exists_of", ["path": path, "out": out])
            return Catalogue.text("replica.output_exists", ["which": which])
        case .notFound(let path): return Catalogue.text("replica.not_found", ["path": path])
        case .notAReplica(let path, let reason):
            return Catalogue.text("replica.not_a_replica", ["path": path, "reason": reason])
        case .key(let error): return error.description
        case .invalid(let error): return error.description
        case .unknownRecord(let id): return Catalogue.text("replica.unknown_record", ["id": id])
        case .letGo(let id, let household):
            return Catalogue.text("replica.let_go", ["id": id, "household": household])
        case .wrongRecordType(let id, let expected):
            let type = Catalogue.entries(.current)["record.\(expected.rawValue)"] ?? expected.rawValue
            return Catalogue.text("replica.wrong_type", ["id": id, "type": type])
        case .outsideScope(let record, let village, let scope):
            return Catalogue.text("replica.outside_scope", ["record": record, "village": village, "scope": scope])
        case .refused(let reason): return reason
        case .fork(let dot): return Catalogue.text("replica.fork", ["dot": dot.description])
        case .copied(let reason): return Catalogue.text("replica.copied", ["reason": reason])
        case .malformedOp(let dot, let reason):
            return Catalogue.text("replica.malformed_op", ["dot": dot, "reason": reason])
        case .tooManyWaiting(let count, let bound):
            return Catalogue.text("replica.too_many_waiting", ["count": "\(count)", "bound": "\(bound)"])
        case .snapshotRequired(let cursor, let archived):
            return Catalogue.text("replica.snapshot_required", ["cursor": "\(cursor)", "archived": "\(archived)"])
        case .database(let reason): return Catalogue.text("replica.database", ["reason": reason])
        case .otherRole(let path, let info):
            let values = ["path": path, "name": info.name, "scope": info.scope.value]
            return Catalogue.text(info.role == .node ? "replica.node_not_hub" : "replica.hub_not_node", values)
        case .permissions(let path, let mode, let reason):
            return Catalogue.text("replica.permissions", ["path": path, "mode": mode, "reason": reason])
        case .notOnServer(let store): return Catalogue.text("replica.not_on_server", ["store": store])
        }
    }
}

import HearthStore

/// Why a sync did not complete, worded for the field worker; what was committed before the
/// failure stays committed, and running sync again resumes from there.
public enum SyncError: Error, Sendable, CustomStringConvertible {
    case notEnrolled
    case noHubURL
    case unreachable(url: String, reason: String)
    /// Something answered at the address but did not prove it is the hub (TLS).
    case untrustedHub(url: String, reason: String)
    case refused(status: Int, code: String, message: String)
    case badResponse(String)
    case forgedResponse
    case behindItself(hubHolds: UInt64, local: UInt64)
    case replica(ReplicaError)

    public var description: String {
        switch self {
        case .notEnrolled:
            return "this node is not enrolled with a hub: create it with `hearth node init ... --token TOKEN`"
        case .noHubURL:
            return "no hub address: give --hub URL (this node has only synced by file so far)"
        case .unreachable(let url, let reason):
            return "cannot reach the hub at \(url): \(reason). Nothing is lost; run sync again when connected"
        case .untrustedHub(let url, let reason):
            return "did not sync with \(url): \(reason). Nothing was sent and nothing is lost"
        case .refused(let status, let code, let message): return "the hub refused (\(status) \(code)): \(message)"
        case .badResponse(let reason): return "the hub's answer could not be read: \(reason)"
        case .forgedResponse:
            return "the answer is not signed by this node's hub (wrong address, or someone in between): nothing applied"
        case .behindItself(let hubHolds, let local):
            return "the hub holds this replica's ops up to \(hubHolds) but this database only has \(local): "
                + "it was restored from an old backup or copied. Run `hearth node reidentify` before syncing"
        case .replica(let error): return error.description
        }
    }
}

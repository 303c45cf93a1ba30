import HearthStore
import HearthText

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
    /// The hub has no `/v1/snapshot`: it was built before snapshots (a node upgraded first).
    case noSnapshots(url: String)
    case replica(ReplicaError)

    public var description: String {
        switch self {
        case .notEnrolled:
            return Catalogue.text("sync.not_enrolled")
        case .noHubURL:
            return Catalogue.text("sync.no_hub_url")
        case .unreachable(let url, let reason):
            return Catalogue.text("sync.unreachable", ["url": url, "reason": reason])
        case .untrustedHub(let url, let reason):
            return Catalogue.text("sync.untrusted", ["url": url, "reason": reason])
        case .refused(let status, let code, let message):
            return Catalogue.text("sync.refused_status", ["status": "\(status)", "code": code, "message": message])
        case .badResponse(let reason): return Catalogue.text("sync.bad_response", ["reason": reason])
        case .forgedResponse:
            return Catalogue.text("sync.forged")
        case .behindItself(let hubHolds, let local):
            return Catalogue.text("sync.behind", ["hub": "\(hubHolds)", "local": "\(local)"])
        case .noSnapshots(let url): return Catalogue.text("sync.no_snapshots", ["url": url])
        case .replica(let error): return error.description
        }
    }
}

import HearthCore
import HearthProtocol

/// A message in flight between a node and the hub: a signed request as the node's
/// ``SyncSession`` built it, or the hub's signed answer to one, as bytes the wire would carry.
struct SimMessage {
    enum Kind: String {
        case push, pushReply = "push-reply", pull, pullReply = "pull-reply"
        case snapshot, snapshotReply = "snapshot-reply"

        var toHub: Bool { self == .push || self == .pull || self == .snapshot }

        /// The answer's kind for a request's.
        var reply: Kind {
            switch self {
            case .push: return .pushReply
            case .pull: return .pullReply
            default: return .snapshotReply
            }
        }
    }

    let kind: Kind
    /// The node (by index) that sent it or that it answers.
    let node: Int
    /// The node's identity when it sent the request: an answer for a former identity (before
    /// a re-identification) is not used.
    let replica: ReplicaID
    /// The request, or for an answer the request it answers (the connection it came back on):
    /// the node checks the answer's signature against that request's nonce.
    var request: WireRequest
    /// The hub's answer; nil while the message is a request.
    var answer: WireAnswer? = nil
    /// The ops a push hands back to a restored hub (and its answer's, the same): the node
    /// records them handed back when the answer counts them.
    var returned: [Op] = []
    /// For a snapshot page (and its answer), the place it was asked from: the page is kept
    /// only if it follows the last page the node kept.
    var after: String? = nil

    /// The bytes the fault may truncate: the answer's body, or the request's.
    var bytes: [UInt8] {
        get { answer?.body ?? request.body }
        set {
            if answer != nil { answer?.body = newValue } else { request.body = newValue }
        }
    }

    /// The answer's status; 200 for a request.
    var status: Int { answer?.status ?? 200 }
}

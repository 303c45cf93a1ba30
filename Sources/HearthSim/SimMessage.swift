import HearthCore

/// A message in flight between a node and the hub: the bytes the wire would carry.
struct SimMessage {
    enum Kind: String {
        case push, pushReply = "push-reply", pull, pullReply = "pull-reply"

        var toHub: Bool { self == .push || self == .pull }
    }

    let kind: Kind
    /// The node (by index) that sent it or that it answers.
    let node: Int
    /// The node's identity when it sent the request: an answer for a former identity (before
    /// a re-identification) is not used.
    let replica: ReplicaID
    var bytes: [UInt8]
    /// 200 for a request or an accepted answer; the refusal's status otherwise.
    var status: Int
    /// The refusal's stable code ("fork", "forked", "bad_request", …).
    var code: String = ""
    /// A request's signed headers (`x-hearth-replica`, `-time`, `-nonce`, `-signature` and
    /// `-offset`), as the node's sync client sends them.
    var headers: [String: String] = [:]
    /// An answer's hub clock (the time its signed answers carry), from which a node measures
    /// its offset; nil for a request.
    var hubMillis: Int64? = nil
}

/// The string an author signs for the head of its hash chain (Protocol/sync.md, "Chain
/// signatures"): `hearth-chain-v1`, the author, the head's counter and its hash, one a line.
///
/// Why in the core: a node signs it with every push, the hub checks it when the push arrives
/// (HearthProtocol) and checks it again, kept, when it verifies the chains it stores
/// (HearthLedger, which does not depend on the wire); one definition keeps the three the same.
public enum ChainHeadMessage {
    public static func bytes(replica: ReplicaID, counter: UInt64, head: String) -> [UInt8] {
        Array("hearth-chain-v1\n\(replica.value)\n\(counter)\n\(head)".utf8)
    }
}

import HearthCore

/// Verifies that a run of one author's ops is an unbroken piece of its hash chain, signed at
/// its head: every op's `prev` is the hash of the op before it, the counters follow each
/// other, and the author's key signed the last hash.
public enum ChainCheck {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case wrongAuthor(Dot)
        case gap(expected: UInt64, got: UInt64)
        case brokenLink(Dot)
        case headMismatch
        case badSignature

        public var description: String {
            switch self {
            case .empty: return "the batch holds no ops"
            case .wrongAuthor(let dot): return "op \(dot) is not the sender's own op"
            case .gap(let expected, let got):
                return "ops must follow each other: expected counter \(expected), got \(got)"
            case .brokenLink(let dot): return "op \(dot) does not chain to the op before it (tampered or reordered)"
            case .headMismatch: return "the signed chain head is not the hash of the last op"
            case .badSignature: return "the chain signature does not verify with the replica's key"
            }
        }
    }

    /// Checks `ops` (the author's counters `first...`) against the hash of the op before
    /// the first (`""` when the first is counter 1) and the signed head.
    public static func verify(
        ops: [Op], author: ReplicaID, previousHash: String, head: ChainHead, publicKey: String
    ) -> Failure? {
        guard let first = ops.first else { return .empty }
        var expectedCounter = first.dot.counter
        var previous = previousHash
        var lastHash = ""
        for op in ops {
            guard op.dot.replica == author else { return .wrongAuthor(op.dot) }
            guard op.dot.counter == expectedCounter else { return .gap(expected: expectedCounter, got: op.dot.counter) }
            guard op.previous == previous else { return .brokenLink(op.dot) }
            lastHash = op.hash
            previous = lastHash
            expectedCounter += 1
        }
        guard head.counter == expectedCounter - 1, head.hash == lastHash else { return .headMismatch }
        guard
            Signer.verify(
                head.signature, of: Signer.chainMessage(replica: author, counter: head.counter, head: head.hash),
                publicKey: publicKey)
        else { return .badSignature }
        return nil
    }
}

/// An author's signed chain head: "my op `counter` has hash `hash`", signed.
public struct ChainHead: Hashable, Sendable {
    public let counter: UInt64
    public let hash: String
    public let signature: String

    public init(counter: UInt64, hash: String, signature: String) {
        self.counter = counter
        self.hash = hash
        self.signature = signature
    }

    public var json: JSON {
        .object(["counter": .integer(Int64(counter)), "hash": .string(hash), "signature": .string(signature)])
    }

    public init(json: JSON) throws(MessageError) {
        // Counter 0 with hash "": a push that only hands back ops from a node with none acknowledged.
        guard let counter = json["counter"]?.integerValue, counter >= 0, let hash = json["hash"]?.stringValue,
            counter == 0 ? hash.isEmpty : Hex.isSHA256(hash), let signature = json["signature"]?.stringValue
        else { throw MessageError("\"chain\" must be {counter, hash, signature}") }
        self.init(counter: UInt64(counter), hash: hash, signature: signature)
    }
}

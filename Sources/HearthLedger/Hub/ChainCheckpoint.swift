import Crypto
import Foundation
import HearthCore

/// The hub's signed statement that one author's op `counter` has hash `hash`: where that
/// author's hash chain may be checked from, without the ops before it (Protocol/sync.md,
/// Compaction, Chain checkpoints).
///
/// Why: every op names the hash of its author's op before it, so a chain proves that no op was
/// altered, dropped or reordered, but only when it is walked from the author's first op. Once
/// compaction moved an author's oldest ops to the archive, a check of the log alone would have
/// to start from ops it no longer holds. The hub writes a checkpoint for each author in the
/// transaction that archives the author's ops, at the last op every earlier op of which left
/// the log, and signs it with its own key: `hearth hub verify` then checks the log from the
/// checkpoints, at the cost of the log rather than of the years, and the archive below a
/// checkpoint may one day leave the hub's store without the chains losing their start.
public struct ChainCheckpoint: Sendable, Hashable {
    public let replica: ReplicaID
    public let counter: UInt64
    /// The op's hash, 64 lower-case hex digits.
    public let hash: String
    /// When the hub signed it (the compaction's time).
    public let signedMillis: Int64
    /// The hub's Ed25519 signature of ``message``, base64.
    public let signature: String

    public init(replica: ReplicaID, counter: UInt64, hash: String, signedMillis: Int64, signature: String) {
        self.replica = replica
        self.counter = counter
        self.hash = hash
        self.signedMillis = signedMillis
        self.signature = signature
    }

    /// What the hub signs: a purpose tag no other signed string of Hearth's begins with, then
    /// the author, the counter and the hash, one a line.
    public static func message(replica: ReplicaID, counter: UInt64, hash: String) -> [UInt8] {
        Array("hearth-checkpoint-v1\n\(replica.value)\n\(counter)\n\(hash)".utf8)
    }

    /// ``message(replica:counter:hash:)`` of this checkpoint.
    public var message: [UInt8] { Self.message(replica: replica, counter: counter, hash: hash) }

    /// A checkpoint of `replica`'s op `counter` with `hash`, signed by `sign` (the hub's
    /// ``HubLedger/sign(_:)``).
    public static func signed(
        replica: ReplicaID, counter: UInt64, hash: String, at millis: Int64, by sign: ([UInt8]) throws -> String
    ) throws -> ChainCheckpoint {
        ChainCheckpoint(
            replica: replica, counter: counter, hash: hash, signedMillis: millis,
            signature: try sign(message(replica: replica, counter: counter, hash: hash)))
    }

    /// Whether `key` (the hub's public signing key) signed this checkpoint as it reads.
    public func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
        guard Hex.isSHA256(hash), let bytes = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(bytes, for: Data(message))
    }
}

import Crypto
import Foundation
import HearthCore
import HearthLedger
import Testing

// Protocol/vectors/checkpoint-vectors.json pins down a chain checkpoint's signed string and
// signature (Protocol/sync.md, Compaction, Chain checkpoints), for another implementation that
// verifies a hub's log: Ed25519 signatures are deterministic, so the code must give exactly
// these. `HEARTH_WRITE_VECTORS=1` writes them again (after a deliberate change of the format).

private let vectorsURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Protocol/vectors/checkpoint-vectors.json").standardized

/// The vectors' hub key: 32 bytes counting up from 1. Never a real hub's.
private var hubKey: Curve25519.Signing.PrivateKey {
    try! Curve25519.Signing.PrivateKey(rawRepresentation: (1...32).map { UInt8($0) })
}

private let cases: [(replica: String, counter: UInt64, hash: String)] = [
    ("3f9a2c71b0d4", 1, String(repeating: "0", count: 64)),
    ("a81c5e0f2b97", 41, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("0123456789ab", 18_446_744_073_709_551_615, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
]

private func document() throws -> JSON {
    .object([
        "format": .string("hearth-checkpoint-vectors"), "v": .integer(1),
        "hub_private_key_hex": .string(Hex.encode(hubKey.rawRepresentation)),
        "hub_public_key_base64": .string(hubKey.publicKey.rawRepresentation.base64EncodedString()),
        "cases": .array(
            try cases.map { item in
                let checkpoint = try ChainCheckpoint.signed(
                    replica: ReplicaID(item.replica), counter: item.counter, hash: item.hash, at: 0
                ) { message in Data(try hubKey.signature(for: message)).base64EncodedString() }
                return .object([
                    "replica": .string(item.replica), "counter": .string(String(item.counter)),
                    "hash": .string(item.hash),
                    "message": .string(String(decoding: checkpoint.message, as: UTF8.self)),
                    "signature": .string(checkpoint.signature),
                ])
            }),
    ])
}

@Suite("Checkpoint vectors: the signed string and the signature another implementation must give")
struct CheckpointVectorTests {
    @Test(
        "the code gives exactly the checkpoint vectors; each verifies with the hub's public key, and not once changed")
    func vectors() throws {
        let made = try document()
        if ProcessInfo.processInfo.environment["HEARTH_WRITE_VECTORS"] == "1" {
            let pretty = try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: Data(made.canonicalBytes)),
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (pretty + Data("\n".utf8)).write(to: vectorsURL)
        }
        let stored = try JSON.parse(String(decoding: try Data(contentsOf: vectorsURL), as: UTF8.self))
        #expect(stored == made, "Protocol/vectors/checkpoint-vectors.json is what the code makes")
        let publicKey = try Curve25519.Signing.PublicKey(
            rawRepresentation: try #require(Data(base64Encoded: stored["hub_public_key_base64"]?.stringValue ?? "")))
        for item in stored["cases"]?.arrayValue ?? [] {
            let counter = try #require(UInt64(item["counter"]?.stringValue ?? ""))
            let checkpoint = ChainCheckpoint(
                replica: ReplicaID(item["replica"]?.stringValue ?? ""), counter: counter,
                hash: item["hash"]?.stringValue ?? "", signedMillis: 0, signature: item["signature"]?.stringValue ?? "")
            #expect(String(decoding: checkpoint.message, as: UTF8.self) == item["message"]?.stringValue)
            #expect(checkpoint.isSigned(by: publicKey))
            let moved = ChainCheckpoint(
                replica: checkpoint.replica, counter: counter ^ 1, hash: checkpoint.hash, signedMillis: 0,
                signature: checkpoint.signature)
            #expect(!moved.isSigned(by: publicKey), "the counter is signed")
        }
    }
}

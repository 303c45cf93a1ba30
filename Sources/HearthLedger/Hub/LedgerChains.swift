import Crypto
import HearthCore
import HearthStore

/// The walk behind `hearth hub verify`: every author's hash chain as the hub holds it, in the
/// log, the archive and the quarantine, from the author's signed checkpoint (or, `whole`, from
/// its first op), on either of the hub's databases.
///
/// Each op's stored body must read and give again its stored hash and dot; each op's `prev`
/// must be the stored hash of its author's op before it; counters must follow each other; a
/// checkpoint must be signed by the hub's key and, where the hub still holds the op it names,
/// hold that op's hash. Ops the quarantine keeps as forks (another op under the same dot) are
/// another chain's and are left out.
///
/// Cost: from the checkpoints, the ops of the log and those of the archive and the quarantine
/// above each checkpoint, read by the `(replica, counter)` keys: what the log holds, not the
/// years. `whole` reads every op the hub ever logged.
package enum LedgerChains {
    /// One op of an author's chain as the hub stores it.
    private struct Link {
        let counter: UInt64
        let hash: String
        let body: [UInt8]
    }

    package static func verify(_ sql: any SQLStatements, hubKey: [UInt8], whole: Bool) throws -> ChainVerification {
        var result = ChainVerification()
        result.whole = whole
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: hubKey)
        var checkpoints: [ReplicaID: ChainCheckpoint] = [:]
        for checkpoint in try stored(sql) {
            if checkpoint.isSigned(by: key) {
                result.checkpoints += 1
                checkpoints[checkpoint.replica] = checkpoint
            } else {
                result.problems.append(
                    ChainProblem(.unsignedCheckpoint, replica: checkpoint.replica, counter: checkpoint.counter))
            }
            // Where the hub still holds the op the checkpoint names, it must be that op.
            if let held = try sql.value(
                "SELECT hash FROM logged_ops WHERE replica = ? AND counter = ?",
                [.text(checkpoint.replica.value), .integer(Int64(checkpoint.counter))]
            )?.bytes, OpLogSQL.hashText(of: held) != checkpoint.hash {
                result.problems.append(
                    ChainProblem(.checkpointMismatch, replica: checkpoint.replica, counter: checkpoint.counter))
            }
        }
        let authors = try sql.texts(
            whole
                ? "SELECT DISTINCT replica FROM logged_ops ORDER BY replica"
                : """
                SELECT DISTINCT replica FROM ops UNION SELECT DISTINCT replica FROM quarantine
                WHERE reason NOT LIKE 'fork%' ORDER BY 1
                """)
        for author in authors.map(ReplicaID.init) {
            result.authors += 1
            let start = whole ? nil : checkpoints[author]
            if start != nil { result.fromCheckpoints += 1 }
            try walk(sql, author: author, from: start, into: &result)
        }
        return result
    }

    /// The checkpoints as stored, by author, signed or not.
    package static func stored(_ sql: any SQLStatements) throws -> [ChainCheckpoint] {
        try sql.rows(
            "SELECT replica, counter, hash, signed_millis, signature FROM chain_checkpoints ORDER BY replica", []
        ).compactMap { row in
            guard let replica = row[0].text, let counter = row[1].integer, let hash = row[2].text,
                let signature = row[4].text
            else { return nil }
            return ChainCheckpoint(
                replica: ReplicaID(replica), counter: UInt64(max(0, counter)), hash: hash,
                signedMillis: row[3].integer ?? 0, signature: signature)
        }
    }

    /// Walks `author`'s ops above `start` (its first op, without one).
    private static func walk(
        _ sql: any SQLStatements, author: ReplicaID, from start: ChainCheckpoint?, into result: inout ChainVerification
    ) throws {
        let above = Int64(start?.counter ?? 0)
        let arguments: [SQLValue] = [.text(author.value), .integer(above)]
        var links: [UInt64: Link] = [:]
        for row in try sql.rows(
            """
            SELECT counter, hash, body FROM ops WHERE replica = ? AND counter > ?
            UNION ALL
            SELECT counter, hash, body FROM ops_archive WHERE replica = ? AND counter > ?
            """, arguments + arguments)
        {
            guard let counter = row[0].integer, let hash = row[1].bytes, let body = row[2].bytes else { continue }
            links[UInt64(counter)] = Link(counter: UInt64(counter), hash: OpLogSQL.hashText(of: hash), body: body)
        }
        // Held, released or discarded ops are links of the chain too (a released one is also in
        // the log, which is read first); a fork is another chain's op.
        for row in try sql.rows(
            "SELECT counter, hash, body FROM quarantine WHERE replica = ? AND counter > ? AND reason NOT LIKE 'fork%'",
            arguments)
        {
            guard let counter = row[0].integer, let hash = row[1].text, let body = row[2].bytes,
                links[UInt64(counter)] == nil
            else { continue }
            links[UInt64(counter)] = Link(counter: UInt64(counter), hash: hash, body: body)
        }
        var previousCounter = start?.counter ?? 0
        var previousHash: String? = start?.hash ?? ""
        for link in links.values.sorted(by: { $0.counter < $1.counter }) {
            if link.counter != previousCounter + 1 {
                result.problems.append(
                    ChainProblem(.missingOps, replica: author, counter: previousCounter + 1, through: link.counter - 1))
                previousHash = nil
            }
            result.opsChecked += 1
            let op = try? Op(logged: link.body)
            if let op, op.dot == Dot(replica: author, counter: link.counter), op.hash == link.hash {
                if let previousHash, op.previous != previousHash {
                    result.problems.append(ChainProblem(.brokenLink, replica: author, counter: link.counter))
                }
            } else {
                result.problems.append(ChainProblem(.alteredOp, replica: author, counter: link.counter))
            }
            previousCounter = link.counter
            previousHash = link.hash
        }
    }
}

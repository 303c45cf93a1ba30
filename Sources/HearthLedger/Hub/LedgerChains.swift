import Crypto
import Foundation
import HearthCore
import HearthStore
import Synchronization

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
/// The top of a node's chain is checked against the head the node signed with its last push
/// (kept in `nodes.chain_signature`): the signature must verify with the node's key, the op the
/// hub holds at the head's counter must have the head's hash, and the hub may hold none of the
/// node's ops above it. So the newest ops cannot be rewritten, even with every hash after them
/// recomputed, without the node's private key. The hub's own writers, and nodes that have not
/// pushed since the hub began keeping heads, have no signed head: their tops rest on the store.
///
/// Cost: from the checkpoints, the ops of the log and those of the archive and the quarantine
/// above each checkpoint, read by the `(replica, counter)` keys: what the log holds, not the
/// years. `whole` reads every op the hub ever logged. Either way the ops are read a page at a
/// time and checked as they come, so memory holds a page of each table, whatever the county.
package enum LedgerChains {
    /// One op of an author's chain as the hub stores it.
    private struct Link {
        let counter: UInt64
        let hash: String
        let body: [UInt8]
    }

    /// One table's ops of an author, above a counter, read in counter order a page at a time.
    private struct LinkPages {
        let query: String
        let author: ReplicaID
        let pageSize: Int
        /// The quarantine keeps a hash as text, the log and the archive as its bytes.
        let hashIsText: Bool
        /// The greatest counter read so far.
        var after: Int64
        var page: [Link] = []
        var position = 0
        var exhausted = false

        init(
            table: String, author: ReplicaID, after: Int64, pageSize: Int, hashIsText: Bool, filter: String = ""
        ) {
            query = """
                SELECT counter, hash, body FROM \(table) WHERE replica = ? AND counter > ?\(filter)
                ORDER BY counter LIMIT ?
                """
            self.author = author
            self.after = after
            self.pageSize = max(1, pageSize)
            self.hashIsText = hashIsText
        }

        /// The op with the least counter not yet taken, reading the next page when this one is done.
        mutating func peek(_ sql: any SQLStatements) throws -> Link? {
            while position == page.count {
                guard !exhausted else { return nil }
                let rows = try sql.rows(query, [.text(author.value), .integer(after), .integer(Int64(pageSize))])
                exhausted = rows.count < pageSize
                if let last = rows.last?[0].integer { after = last }
                position = 0
                page = rows.compactMap { row in
                    guard let counter = row[0].integer, let body = row[2].bytes,
                        let hash = hashIsText ? row[1].text : row[1].bytes.map(OpLogSQL.hashText(of:))
                    else { return nil }
                    return Link(counter: UInt64(counter), hash: hash, body: body)
                }
            }
            return page[position]
        }

        /// Passes the ops at and below `counter`: the walk took that counter's op from this
        /// table or from one it reads first.
        mutating func skip(through counter: UInt64, _ sql: any SQLStatements) throws {
            while let link = try peek(sql), link.counter <= counter { position += 1 }
        }
    }

    /// For each link, the `prev` of the op its body holds; nil where the body does not read as
    /// an op, or as one with another dot than the link's or another hash than the one stored
    /// beside it. Each op's canonical bytes are rebuilt and hashed: nearly all of a walk's time
    /// (8.9 s on one core for a county's 716,981 ops), so the links are checked in as many
    /// parts as there are cores (two at least, so every machine takes this path), each part
    /// consecutive links. What the walk then follows in order only compares hashes.
    private static func check(_ links: [Link], author: ReplicaID) -> [String?] {
        @Sendable func previous(_ link: Link) -> String? {
            guard let op = try? Op(logged: link.body), op.dot == Dot(replica: author, counter: link.counter),
                op.hash == link.hash
            else { return nil }
            return op.previous
        }
        let parts = min(links.count, max(2, ProcessInfo.processInfo.activeProcessorCount))
        guard parts > 1 else { return links.map(previous) }
        @Sendable func range(_ part: Int) -> Range<Int> {
            (part * links.count / parts)..<((part + 1) * links.count / parts)
        }
        let checked = Mutex<[Int: [String?]]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let found = links[range(part)].map(previous)
            checked.withLock { $0[part] = found }
        }
        // A part not checked (never, as every iteration runs) leaves its links as altered.
        var previous = [String?](repeating: nil, count: links.count)
        for (part, found) in checked.withLock({ $0 }) where found.count == range(part).count {
            previous.replaceSubrange(range(part), with: found)
        }
        return previous
    }

    /// A node's chain head as its last push signed it, and the node's key.
    private struct SignedHead {
        let counter: UInt64
        let hash: String
        let signature: String
        let publicKey: String

        /// Whether the node's key signed this head (``ChainHeadMessage``).
        func isSigned(by replica: ReplicaID) -> Bool {
            Ed25519Signature.verify(
                signature, of: ChainHeadMessage.bytes(replica: replica, counter: counter, head: hash),
                publicKey: publicKey)
        }
    }

    /// The ops each read of the walk takes at most, from each table (``walk(_:author:from:to:pageSize:into:)``).
    package static let pageSize = 2_000

    package static func verify(
        _ sql: any SQLStatements, hubKey: [UInt8], whole: Bool, pageSize: Int = LedgerChains.pageSize
    ) throws -> ChainVerification {
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
        let heads = try signedHeads(sql)
        // A node whose ops all left the log still has its signed head checked.
        let authors = Set(
            try sql.texts(
                whole
                    ? "SELECT DISTINCT replica FROM logged_ops"
                    : """
                    SELECT DISTINCT replica FROM ops UNION SELECT DISTINCT replica FROM quarantine
                    WHERE reason NOT LIKE 'fork%'
                    """
            ).map(ReplicaID.init)
        ).union(heads.keys)
        for author in authors.sorted(by: { $0.value < $1.value }) {
            result.authors += 1
            let start = whole ? nil : checkpoints[author]
            if start != nil { result.fromCheckpoints += 1 }
            try walk(sql, author: author, from: start, to: heads[author], pageSize: pageSize, into: &result)
        }
        return result
    }

    /// Each node's kept chain head, for the nodes that pushed since the hub began keeping them.
    private static func signedHeads(_ sql: any SQLStatements) throws -> [ReplicaID: SignedHead] {
        var heads: [ReplicaID: SignedHead] = [:]
        for row in try sql.rows(
            """
            SELECT replica, acked_counter, chain_head, chain_signature, public_key FROM nodes
            WHERE chain_signature <> ''
            """, [])
        {
            guard let replica = row[0].text, let counter = row[1].integer, let hash = row[2].text,
                let signature = row[3].text, let publicKey = row[4].text
            else { continue }
            heads[ReplicaID(replica)] = SignedHead(
                counter: UInt64(max(0, counter)), hash: hash, signature: signature, publicKey: publicKey)
        }
        return heads
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

    /// Walks `author`'s ops above `start` (its first op, without one), and checks the top
    /// against `head`, the node's signed head, when it has one.
    ///
    /// The ops are read in counter order, `pageSize` at a time from each of the log, the
    /// archive and the quarantine, and checked as they come: the walk holds a page of each,
    /// never an author's whole history (an author of 680,000 ops, the hub's own writer after a
    /// county's roster import, took 540 MB when its ops were read at once).
    private static func walk(
        _ sql: any SQLStatements, author: ReplicaID, from start: ChainCheckpoint?, to head: SignedHead?,
        pageSize: Int, into result: inout ChainVerification
    ) throws {
        let above = Int64(start?.counter ?? 0)
        // A counter the log holds is read from there; the archive holds what compaction moved
        // out of the log; the quarantine's held, released or discarded ops are links of the
        // chain too (a released one is also in the log), and a fork is another chain's op.
        var sources = [
            LinkPages(table: "ops", author: author, after: above, pageSize: pageSize, hashIsText: false),
            LinkPages(table: "ops_archive", author: author, after: above, pageSize: pageSize, hashIsText: false),
            LinkPages(
                table: "quarantine", author: author, after: above, pageSize: pageSize, hashIsText: true,
                filter: " AND reason NOT LIKE 'fork%'"),
        ]
        var previousCounter = start?.counter ?? 0
        var previousHash: String? = start?.hash ?? ""
        var hashAtHead: String?
        // The links in counter order, a page at a time: each page's bodies checked side by side
        // (``check(_:author:)``), then the page's links followed one after the other.
        var page: [Link] = []
        page.reserveCapacity(pageSize)
        func follow() {
            for (link, previous) in zip(page, check(page, author: author)) {
                if link.counter != previousCounter + 1 {
                    result.problems.append(
                        ChainProblem(
                            .missingOps, replica: author, counter: previousCounter + 1, through: link.counter - 1))
                    previousHash = nil
                }
                result.opsChecked += 1
                if let previous {
                    if let previousHash, previous != previousHash {
                        result.problems.append(ChainProblem(.brokenLink, replica: author, counter: link.counter))
                    }
                } else {
                    result.problems.append(ChainProblem(.alteredOp, replica: author, counter: link.counter))
                }
                if link.counter == head?.counter { hashAtHead = link.hash }
                previousCounter = link.counter
                previousHash = link.hash
            }
            page.removeAll(keepingCapacity: true)
        }
        while true {
            var next: Link?
            for index in sources.indices {
                if let link = try sources[index].peek(sql), link.counter < next?.counter ?? .max { next = link }
            }
            guard let link = next else { break }
            for index in sources.indices { try sources[index].skip(through: link.counter, sql) }
            page.append(link)
            if page.count >= pageSize { follow() }
        }
        follow()
        guard let head else {
            result.unsignedTops += 1
            return
        }
        let found = result.problems.count
        if !head.isSigned(by: author) {
            result.problems.append(ChainProblem(.unsignedHead, replica: author, counter: head.counter))
        }
        // The op at the head: walked, or the checkpoint the walk started from.
        let heldHash = hashAtHead ?? (start?.counter == head.counter ? start?.hash : nil)
        if let heldHash {
            if heldHash != head.hash {
                result.problems.append(ChainProblem(.headMismatch, replica: author, counter: head.counter))
            }
        } else if head.counter > previousCounter {
            result.problems.append(
                ChainProblem(.missingOps, replica: author, counter: previousCounter + 1, through: head.counter))
        }
        if previousCounter > head.counter {
            result.problems.append(
                ChainProblem(.beyondHead, replica: author, counter: head.counter + 1, through: previousCounter))
        }
        if result.problems.count == found { result.signedHeads += 1 }
    }
}

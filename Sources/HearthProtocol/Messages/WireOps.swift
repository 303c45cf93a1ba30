import Crypto
import HearthCore

/// How a message carries its ops: each as its JSON (Protocol/ops.md), less what the receiver
/// derives from the ops before it in the same message (Protocol/sync.md, Ops in a message).
///
/// Why: a batch repeats its author, origin and village on every op, numbers its dots one
/// after another, and chains each op to the one before with a 64-digit hash that no gzip can
/// shrink; a member's sealed ID number carries its keyed hash beside its box. Those made up
/// more than half of the compressed bytes per op. Leaving them out changes nothing the ops
/// mean: the receiver rebuilds every op's exact canonical bytes, so hashes, chains and
/// signatures are checked as before, and a sender omits a value only where rebuilding gives
/// back the very value it holds.
public enum WireOps {
    /// Keys an op may leave out when its value is the one the op before it in the message had.
    static let carried = ["v", "author", "origin", "scope"]

    /// The ops as a message carries them. `digests` opens sealed values to check their `hmac`
    /// can be derived; without it every sealed value travels whole.
    public static func json(_ ops: [Op], digests: (any SealedDigestSource)?) -> JSON {
        var items: [JSON] = []
        items.reserveCapacity(ops.count)
        var heads: [ReplicaID: (counter: UInt64, hash: String)] = [:]
        var previous: Op?
        for op in ops {
            guard case .object(var members) = op.json else { continue }
            if let previous {
                if previous.author == op.author { members["author"] = nil }
                if previous.origin == op.origin { members["origin"] = nil }
                if previous.scope == op.scope { members["scope"] = nil }
                members["v"] = nil
                if previous.dot.replica == op.dot.replica, previous.dot.counter + 1 == op.dot.counter {
                    members["dot"] = nil
                }
            }
            if let head = heads[op.dot.replica], head.counter + 1 == op.dot.counter, head.hash == op.previous {
                members["prev"] = nil
            }
            if op.createsRecord { members["record"] = .string(String(op.record.type.idPrefix)) }
            if let digests, op.fields.values.contains(where: { if case .sealed = $0 { true } else { false } }) {
                var fields: [String: JSON] = [:]
                for (name, value) in op.fields {
                    if case .sealed(let sealed) = value, digests.digest(ofBox: sealed.box) == sealed.digest {
                        fields[name] = .object(["box": .string(sealed.box)])
                    } else {
                        fields[name] = value.json
                    }
                }
                members["fields"] = .object(fields)
            }
            items.append(.object(members))
            heads[op.dot.replica] = (op.dot.counter, op.hash)
            previous = op
        }
        return .array(items)
    }

    /// Reads a message's ops, rebuilding what each left out; every op is then read and
    /// checked as ``Op/init(json:)`` reads a whole one, and refused past
    /// ``WireLimits/maxOpBytes``.
    static func read(_ items: [JSON], digests: (any SealedDigestSource)?) throws(MessageError) -> [Op] {
        var ops: [Op] = []
        ops.reserveCapacity(items.count)
        var heads: [ReplicaID: (counter: UInt64, hash: String)] = [:]
        var previous: [String: JSON]?
        for (index, item) in items.enumerated() {
            guard case .object(var members) = item else {
                throw MessageError("op \(index): an op must be a JSON object")
            }
            // Room for the keys carried from the op before, made once rather than grown.
            members.reserveCapacity(12)
            if let previous {
                for key in carried where members[key] == nil { members[key] = previous[key] }
                if members["dot"] == nil, let text = previous["dot"]?.stringValue, let dot = Dot(text: text),
                    dot.counter < Dot.maxCounter
                {
                    members["dot"] = .string(Dot(replica: dot.replica, counter: dot.counter + 1).description)
                }
            }
            let dot = members["dot"]?.stringValue.flatMap { Dot(text: $0) }
            if let dot, let letter = members["record"]?.stringValue, letter.count == 1 {
                guard let type = RecordType.allCases.first(where: { String($0.idPrefix) == letter }) else {
                    throw MessageError("op \(index): \"record\" \"\(letter)\" is not a record type's letter")
                }
                members["record"] = .string(RecordID(type: type, creator: dot).value)
            }
            if members["prev"] == nil, let dot {
                guard let head = heads[dot.replica], head.counter + 1 == dot.counter else {
                    throw MessageError(
                        "op \(index): \"prev\" may be left out only when the message holds the op before it "
                            + "in its author's chain (\(dot.replica):\(dot.counter - 1)) earlier on")
                }
                members["prev"] = .string(head.hash)
            }
            if case .object(var fields)? = members["fields"] {
                var derived = false
                for (name, value) in fields {
                    guard case .object(let parts) = value, parts.count == 1, let box = parts["box"]?.stringValue
                    else { continue }
                    guard let digest = digests?.digest(ofBox: box) else {
                        throw MessageError(
                            "op \(index): field \"\(name)\" is sealed without its \"hmac\", and its box does not "
                                + "open under this side's county key, so the hmac cannot be derived")
                    }
                    fields[name] = .object(["box": .string(box), "hmac": .string(digest)])
                    derived = true
                }
                if derived { members["fields"] = .object(fields) }
            }
            let op: Op
            do { op = try Op(json: .object(members)) } catch { throw MessageError("op \(index): \(error.reason)") }
            let bytes = op.canonicalBytes
            guard bytes.count <= WireLimits.maxOpBytes else {
                throw MessageError(
                    "op \(index) is \(bytes.count) bytes; one op may be at most \(WireLimits.maxOpBytes) bytes")
            }
            // The hash of bytes rebuilt here anyway: the chain check and the apply reuse it.
            let known = op.knowingHash(ofCanonical: bytes)
            heads[op.dot.replica] = (op.dot.counter, known.hash)
            ops.append(known)
            previous = members
        }
        return ops
    }
}

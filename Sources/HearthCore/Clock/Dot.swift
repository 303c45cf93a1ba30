/// The unique name of one op: the replica that made it and that replica's op counter.
///
/// Counters start at 1 and grow by one per op on their replica, so a dot both identifies
/// an op (dedup makes apply idempotent) and orders the ops of one replica.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let counter: UInt64

    public init(replica: ReplicaID, counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    /// The greatest counter a dot may carry: counters travel as JSON integers and are stored
    /// as SQLite integers, both signed 64-bit.
    public static let maxCounter = UInt64(Int64.max)

    /// Parses the `replica:counter` text form.
    public init?(text: String) {
        // The form every dot is written in (12 lower-case hex digits, `:`, the counter's digits)
        // read by position: a push reads one for every op and every entry of its context, and
        // splitting made an array and three strings each time. Anything else is judged below.
        var copy = text
        let fast: Dot? = copy.withUTF8 { utf8 in
            guard utf8.count >= 14, utf8.count <= 32, utf8[12] == UInt8(ascii: ":") else { return nil }
            for byte in utf8[0..<12] where !((byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)) { return nil }
            var counter: UInt64 = 0
            for byte in utf8[13...] {
                guard byte >= 48, byte <= 57 else { return nil }
                counter = counter &* 10 &+ UInt64(byte - 48)
            }
            guard counter > 0, counter <= Dot.maxCounter else { return nil }
            let replica = String(decoding: UnsafeBufferPointer(rebasing: utf8[0..<12]), as: UTF8.self)
            return Dot(replica: ReplicaID(replica), counter: counter)
        }
        if let fast {
            self = fast
            return
        }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replica = ReplicaID(validating: String(parts[0])),
            let counter = UInt64(parts[1]), counter > 0, counter <= Dot.maxCounter
        else { return nil }
        self.init(replica: replica, counter: counter)
    }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }

    public var description: String { "\(replica.value):\(counter)" }
}

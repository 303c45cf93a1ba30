import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// How many connections the hub keeps open at once, and how long one may sit idle.
///
/// Why: with neither, 16,000 idle sockets stayed open on a hub, each holding a file descriptor
/// and memory, until the process ran out. An idle connection (no request being read or
/// answered) is closed after ``idleTimeout``; a connection accepted while ``maxConnections``
/// are open is closed at once, before a byte of it is read, and the node tries again later.
public struct ConnectionLimits: Sendable, Equatable {
    public var idleTimeout: Duration
    public var maxConnections: Int

    /// What `hearth hub serve` uses unless told otherwise: 30 s idle, 1,024 connections.
    public static let standard = ConnectionLimits(idleTimeout: .seconds(30), maxConnections: 1_024)

    public init(idleTimeout: Duration, maxConnections: Int) {
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    var idleTimeAmount: TimeAmount {
        let (seconds, attoseconds) = idleTimeout.components
        return .nanoseconds(max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}

/// Counts the connections a server is serving, up to a maximum.
final class ConnectionCounter: Sendable {
    let maximum: Int
    private let state = Mutex((open: 0, refusing: false))

    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Takes a place for a new connection; when none is left, says whether this is the first
    /// refusal since a connection was last admitted (worth one log line, not one per socket).
    func admit() -> (admitted: Bool, firstRefusal: Bool) {
        state.withLock { state in
            guard state.open < maximum else {
                defer { state.refusing = true }
                return (false, !state.refusing)
            }
            state.open += 1
            state.refusing = false
            return (true, false)
        }
    }

    func release() {
        state.withLock { $0.open -= 1 }
    }

    var current: Int { state.withLock { $0.open } }
}

/// A server child channel (HTTP/1, with or without TLS) that serves a connection only while
/// fewer than the counter's maximum are being served, and closes it at once otherwise.
///
/// The count is taken when the server starts handling the connection and given back when
/// handling ends, which is when the connection has closed (by either side, or by the idle
/// timeout).
///
/// A refused connection is closed through `executeThenClose`, which finishes its writer first:
/// NIO stops the process (a precondition, kept in release builds) when a channel's writer is
/// dropped unfinished, so a plain `channel.close()` at the cap could take the hub down.
struct LimitedChildChannel<Base: ServerChildChannel>: ServerChildChannel
where Base.Value == HTTP1Channel.Value {
    typealias Value = Base.Value

    let base: Base
    let counter: ConnectionCounter
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        let (admitted, firstRefusal) = counter.admit()
        guard admitted else {
            if firstRefusal {
                self.logger.warning(
                    "connections at the cap (hub serve --max-connections): closing new ones until one ends",
                    metadata: ["max_connections": "\(counter.maximum)"])
            }
            try? await value.executeThenClose { _, _ in }
            return
        }
        defer { counter.release() }
        await base.handle(value: value, logger: logger)
    }
}

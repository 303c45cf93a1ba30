import Synchronization

/// The hub's clock minus this node's, measured from the hub's signed answers.
///
/// A village laptop's clock is often wrong (a dead clock battery, a mistyped year), and the
/// hub refuses a request stamped more than 24 hours from its own clock as a possible replay.
/// The node therefore states, with each request, the offset it last measured, and the hub
/// checks the corrected time: replay protection rests on the hub's clock and single-use
/// nonces, never on the node's clock being right. Shared by every copy of a `SyncClient` and its ``SyncSession``s.
public final class HubClock: Sendable {
    /// The refusal code of a request whose corrected time lies outside the hub's window.
    static let refusalCode = "time_window"

    private let state: Mutex<(current: Int64?, stored: Int64?)>

    /// - Parameter stored: the offset the replica kept from an earlier run, if any.
    public init(stored: Int64?) {
        state = Mutex((current: stored, stored: stored))
    }

    /// The offset to state with the next request, or nil before the hub ever answered.
    public var current: Int64? { state.withLock { $0.current } }

    /// Takes a measurement from a verified answer; returns the offset to keep in the node's
    /// sync state when it moved by more than a second from what is kept there.
    public func measured(hubMillis: Int64, sentMillis: Int64, receivedMillis: Int64) -> Int64? {
        // The hub read its clock between sending and receiving: take the midpoint.
        let (span, spanOverflow) = receivedMillis.subtractingReportingOverflow(sentMillis)
        guard !spanOverflow else { return nil }
        let (offset, overflow) = hubMillis.subtractingReportingOverflow(sentMillis &+ span / 2)
        guard !overflow else { return nil }
        return state.withLock { state in
            state.current = offset
            if let stored = state.stored {
                let (difference, overflow) = stored.subtractingReportingOverflow(offset)
                guard overflow || difference > 1_000 || difference < -1_000 else { return nil }
            }
            state.stored = offset
            return offset
        }
    }
}

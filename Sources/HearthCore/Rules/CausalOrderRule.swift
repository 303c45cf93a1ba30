/// R11, causal order: an op that arrives before the ops its context covers is held until they
/// arrive, never applied out of order; one held past a configurable time is flagged for the
/// county. (Holding is the apply engine's: ``RecordState/missingDependencies(of:)``.)
public enum CausalOrderRule {
    /// How long an op may wait for its past before the county is told: a week.
    public static let defaultWaitLimitMillis: Int64 = 7 * 86_400_000

    /// An op waiting at a replica for the ops its context covers.
    public struct WaitingOp: Hashable, Sendable {
        public let dot: Dot
        /// The record the op is for, as logged.
        public let record: String
        /// The dots it waits for, as the replica lists them.
        public let needs: String
        public let sinceMillis: Int64

        public init(dot: Dot, record: String, needs: String, sinceMillis: Int64) {
            self.dot = dot
            self.record = record
            self.needs = needs
            self.sinceMillis = sinceMillis
        }
    }

    /// A desk case for an op that has waited longer than `waitLimitMillis` at `nowMillis`.
    public static func waitingVerdict(
        _ wait: WaitingOp, nowMillis: Int64, waitLimitMillis: Int64 = defaultWaitLimitMillis
    ) -> RuleVerdict {
        guard wait.sinceMillis < nowMillis - waitLimitMillis, let record = RecordID(wait.record) else { return .admit }
        return .desk(
            DeskCase(
                id: "R11:\(wait.dot.replica.value):\(wait.dot.counter)", rule: .r11, kind: "waiting-too-long",
                village: nil, records: [record],
                detail:
                    "op \(wait.dot.replica.value):\(wait.dot.counter) has waited since "
                    + "\(DomainCalendar.date(atMillis: wait.sinceMillis)) for \(wait.needs)",
                holds: []))
    }

    /// A record whose creation waits at the desk is not moved: the move would be logged in the
    /// new village while its past stays held in the old one, and should the desk discard the
    /// creation, the new village's nodes would wait for it forever (found by the simulation,
    /// seed 90195). Once the creation is released, so can the move be.
    public static func moveVerdict(of op: Op, creationAccepted: Bool) -> RuleVerdict {
        guard !creationAccepted else { return .admit }
        return .refuse(
            AdmissionRefusal(
                .r11,
                "R11: \(op.record) is not accepted yet (its creating op is held at the desk); "
                    + "it moves once the desk has released it"))
    }
}

import HearthCore
import HearthStore

extension HubLedger {
    /// Records a roll as paid: its lines are kept, and the month is never recomputed.
    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) async throws(ReplicaError) {
        guard !roll.locked else {
            throw .invalid(InputError(field: "month", "roll.already_locked", ["month": "\(roll.month)"]))
        }
        try await storage.lock(roll, worker: worker, nowMillis: nowMillis)
    }
}

import HearthCore
import HearthText

/// Sums of money for rolls, reports and recovery, in checked arithmetic.
///
/// The hub bounds every amount it accepts, so a county's totals fit in 64 bits of fen many
/// times over; but sums are taken over stored data, which an older hub or a damaged file may
/// hold out of bounds, and a roll must then fail with a sentence, never trap mid-way.
package enum Totals {
    /// `what` is only made into a sentence when the sum overflows (a report adds a county's
    /// lines one by one).
    package static func add(_ total: inout Int64, _ fen: Int64, _ what: @autoclosure () -> String)
        throws(ReplicaError)
    {
        let (sum, overflow) = total.addingReportingOverflow(fen)
        guard !overflow else { throw overflowError(what()) }
        total = sum
    }

    package static func sum<S: Sequence<Int64>>(_ fens: S, _ what: String) throws(ReplicaError) -> Int64 {
        var total: Int64 = 0
        for fen in fens { try add(&total, fen, what) }
        return total
    }

    package static func difference(_ owed: Int64, _ paid: Int64, _ what: @autoclosure () -> String)
        throws(ReplicaError) -> Int64
    {
        let (difference, overflow) = owed.subtractingReportingOverflow(paid)
        guard !overflow else { throw overflowError(what()) }
        return difference
    }

    package static func overflowError(_ what: String) -> ReplicaError {
        .refused(Catalogue.text("roll.overflow", ["what": what]))
    }
}

/// One record as a snapshot carries it: its id and its merge state's compact bytes
/// (``RecordState/compactBytes``), which is all merge needs to go on (docs/snapshots.md).
public struct SnapshotRecord: Sendable, Equatable {
    public let id: RecordID
    public let state: [UInt8]

    public init(id: RecordID, state: [UInt8]) {
        self.id = id
        self.state = state
    }
}

import HearthCore
import HearthProtocol

/// What `hearth --version` prints: the program's release and the formats it speaks. Two
/// installations work together when their sync protocols overlap (a hub answers a node in the
/// node's version), so a clerk reading this to a help desk gives what decides it.
enum HearthVersion {
    static let release = "0.15.0"

    static var text: String {
        "hearth \(release) (sync protocol \(WireVersion.current), reads "
            + "\(WireVersion.readable.lowerBound) to \(WireVersion.readable.upperBound); op format \(Op.formatVersion))"
    }
}

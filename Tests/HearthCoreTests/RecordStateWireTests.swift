import HearthCore
import Testing

/// A stand-in for the county key: a box's "keyed hash" is its text's bytes, padded to 32; a
/// box starting "alien" was sealed under another key and does not open.
private struct BoxHash: SealedDigestSource {
    func digest(ofBox box: String) -> String? {
        guard !box.hasPrefix("alien") else { return nil }
        return Hex.encode(Array((box + String(repeating: "#", count: 32)).utf8.prefix(32)))
    }
}

@Suite("A state as a snapshot sends it: the keyed hashes the receiver derives are left out")
struct RecordStateWireTests {
    /// A random state whose sealed values alternate between a hash the key derives, one it
    /// does not (random), and a box that does not open; returns it and how many are derivable.
    static func state(_ states: inout RandomStates, edits: Int) -> (RecordState, Int) {
        let base = states.state(edits: edits)
        var derivable = 0
        var registers: [String: Register] = [:]
        var turn = 0
        for (name, register) in base.registers {
            registers[name] = Register(
                entries: register.entries.map { entry in
                    guard case .sealed(let sealed) = entry.value, Hex.isSHA256(sealed.digest) else { return entry }
                    turn += 1
                    let value: SealedValue
                    switch turn % 3 {
                    case 0:
                        derivable += 1
                        value = SealedValue(box: sealed.box, digest: BoxHash().digest(ofBox: sealed.box)!)
                    case 1: value = SealedValue(box: "alien" + sealed.box, digest: sealed.digest)
                    default: value = sealed
                    }
                    return RegisterEntry(dot: entry.dot, hlc: entry.hlc, rank: entry.rank, value: .sealed(value))
                })
        }
        return (RecordState(id: base.id, clock: base.clock, registers: registers), derivable)
    }

    @Test(
        "every derivable hash is left out (32 bytes each), the receiver derives it back to the stored state, and nothing else reads"
    )
    func leftOutAndDerived() throws {
        var states = try RandomStates(seed: 29)
        var leftOut = 0
        for _ in 0..<1_200 {
            let (state, derivable) = Self.state(&states, edits: Int(states.random.next() % 8))
            let stored = state.compactBytes
            let sent = state.compactBytes(leavingOut: BoxHash())
            #expect(stored.count - sent.count == 32 * derivable)
            #expect(RecordState(id: state.id, compactBytes: sent, deriving: BoxHash()) == state)
            #expect(RecordState(id: state.id, compactBytes: sent, deriving: BoxHash())?.compactBytes == stored)
            // Without the key, with every hash: the same state; with the key, every hash: refused
            // where one could have been left out (one encoding per state).
            #expect(RecordState(id: state.id, compactBytes: stored, deriving: nil) == state)
            if derivable > 0 {
                #expect(RecordState(id: state.id, compactBytes: sent) == nil, "a hash left out needs the key")
                #expect(RecordState(id: state.id, compactBytes: stored, deriving: BoxHash()) == nil)
                leftOut += derivable
            } else {
                #expect(sent == stored)
            }
        }
        #expect(leftOut > 50, "the random states hold derivable hashes")
    }
}

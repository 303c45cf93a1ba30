import Foundation
import HearthCore
import Testing

@testable import HearthStore

/// Sealed values opened ahead on every core (a county's roll) are the values opened one by one.
@Suite("Opening sealed values ahead, on every core")
struct OpenedValuesTests {
    @Test(
        "opened ahead on threads of their own, each value reads as opened alone; another key's and a forged one's as nil"
    )
    func aheadIsAlone() {
        let keys = KeyMaterial.generate()
        let other = KeyMaterial.generate()
        var values: [SealedValue] = []
        var expected: [SealedValue: String?] = [:]
        for number in 0..<5_000 {
            let text = String(format: "4212811980%08d", number)
            let sealed = keys.seal(text)
            values.append(sealed)
            expected[sealed] = .some(text)
        }
        // The same values again (one opening each), then ones this key cannot open.
        values += values.prefix(1_000)
        for number in 0..<500 {
            let foreign = other.seal("6222\(number)")
            values.append(foreign)
            expected[foreign] = .some(nil)
            let forged = SealedValue(box: keys.seal("6228\(number)").box, digest: keys.seal("9999\(number)").digest)
            values.append(forged)
            expected[forged] = .some(nil)
        }
        values.shuffle()
        var ahead = OpenedValues(keys: keys)
        ahead.openAhead(values)
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect(ahead.opened.count == expected.count, "every distinct value opened before it was asked for")
        }
        var alone = OpenedValues(keys: keys)
        for value in values {
            let clear = ahead.open(value)
            #expect(clear == alone.open(value))
            #expect(clear == expected[value]!)
        }
        #expect(ahead.opened.count == expected.count)
    }

    @Test("an opener's digest, its key absorbed once, is the key's digest of each value, and the sealed value's")
    func openerDigest() {
        let keys = KeyMaterial.generate()
        let opener = keys.opener()
        var random = SplitMix64(seed: 3)
        for number in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &random)
            let text =
                number.isMultiple(of: 2)
                ? String(format: "4212811980%08d", number)
                : String((0..<length).map { _ in "0123456789X王秀英 ".randomElement(using: &random)! })
            #expect(opener.digest(text) == keys.digest(text))
            #expect(opener.digest(text) == keys.seal(text).digest)
        }
        #expect(opener.digest("421281198001010011") != KeyMaterial.generate().opener().digest("421281198001010011"))
    }

    @Test("a key hashes by its digest's first 16 digits and compares whole: values alike in them stay apart")
    func keysCompareWhole() {
        let keys = KeyMaterial.generate()
        let first = keys.seal("421281198001010011")
        let second = keys.seal("421281198001010029")
        // The second's box under a digest that begins as the first's: a value of its own, which
        // opens to nothing (its text does not hash to that digest).
        let alike = SealedValue(box: second.box, digest: String(first.digest.prefix(16)) + second.digest.dropFirst(16))
        let short = SealedValue(box: first.box, digest: "ab")
        let distinct: Set<OpenedValues.Key> = [
            OpenedValues.Key(sealed: first), OpenedValues.Key(sealed: second), OpenedValues.Key(sealed: alike),
            OpenedValues.Key(sealed: short), OpenedValues.Key(sealed: first),
        ]
        #expect(distinct.count == 4)
        var opened = OpenedValues(keys: keys)
        #expect(opened.open(alike) == nil)
        #expect(opened.open(short) == nil)
        #expect(opened.open(first) == "421281198001010011")
        #expect(opened.open(second) == "421281198001010029")
        #expect(opened.open(alike) == nil)
    }
}

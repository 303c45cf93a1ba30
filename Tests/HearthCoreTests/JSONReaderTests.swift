import Foundation
import Testing

@testable import HearthCore

/// Hearth's JSON reader: every message and file goes through it, so it reads what Foundation
/// reads (for the integers-only subset Hearth speaks) and refuses the rest with the offset.
@Suite("The JSON reader")
struct JSONReaderTests {
    /// Foundation's reading of `bytes`, as Hearth's `JSON` (integers only).
    func foundation(_ bytes: [UInt8]) throws -> JSON {
        func convert(_ value: Any) -> JSON {
            switch value {
            case is NSNull: return .null
            case let text as String: return .string(text)
            case let list as [Any]: return .array(list.map(convert))
            case let map as [String: Any]: return .object(map.mapValues(convert))
            case let number as NSNumber:
                if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
                return .integer(number.int64Value)
            default: fatalError("unexpected \(type(of: value))")
            }
        }
        return convert(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
    }

    /// A random document: nested objects and arrays, strings with escapes, CJK and emoji,
    /// integers up to both ends of Int64.
    func document(_ random: inout SplitMix64, depth: Int = 0) -> JSON {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            let ends: [Int64] = [.min, .max, 0, -1, 1, 560, -560]
            return .integer(
                Bool.random(using: &random)
                    ? ends.randomElement(using: &random)! : Int64.random(in: .min ... .max, using: &random))
        case 3:
            let pieces = ["a", "张三", "一组", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F600}", "é", " ", "key"]
            return .string(
                (0..<Int.random(in: 0..<8, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                    .joined())
        case 4:
            return .array((0..<Int.random(in: 0..<5, using: &random)).map { _ in document(&random, depth: depth + 1) })
        default:
            var members: [String: JSON] = [:]
            for index in 0..<Int.random(in: 0..<12, using: &random) {
                members["k\(index)\(Bool.random(using: &random) ? "\\\"é" : "")"] = document(&random, depth: depth + 1)
            }
            return .object(members)
        }
    }

    /// `bytes` with white space after every comma, colon and bracket outside strings.
    func spacedOut(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in bytes {
            out.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == 0x5C {
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
            } else if byte == 0x22 {
                inString = true
            } else if Array(",:[]{}".utf8).contains(byte) {
                out += Array(" \n\t\r ".utf8)
            }
        }
        return out
    }

    @Test("random documents read as Foundation reads them, canonical or spaced out", arguments: [1, 2, 3] as [UInt64])
    func readsAsFoundation(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let value = document(&random)
            let canonical = value.canonicalBytes
            #expect(try JSON.parse(canonical) == value)
            #expect(try JSON.parse(canonical) == foundation(canonical))
            // Spaces between tokens, and `\u` escapes of characters a writer need not escape.
            let spaced = Array(
                String(decoding: spacedOut(canonical), as: UTF8.self).replacingOccurrences(of: "é", with: "\\u00e9")
                    .replacingOccurrences(of: "\u{1F600}", with: "\\ud83d\\ude00").utf8)
            #expect(try JSON.parse(spaced) == value)
            #expect(try JSON.parse(spaced) == foundation(spaced))
        }
    }

    @Test("integers to both ends of Int64 are read; past them, fractions and exponents are refused")
    func integers() throws {
        #expect(try JSON.parse("-9223372036854775808") == .integer(.min))
        #expect(try JSON.parse("9223372036854775807") == .integer(.max))
        #expect(try JSON.parse("[0,-0,007,-12]") == .array([.integer(0), .integer(0), .integer(7), .integer(-12)]))
        for text in [
            "9223372036854775808", "-9223372036854775809", "99999999999999999999999", "-184467440737095516160",
        ] {
            #expect(throws: JSONError(offset: text.utf8.count, reason: "integer out of range")) { try JSON.parse(text) }
        }
        #expect(throws: JSONError(offset: 1, reason: "only integers are allowed (amounts are integer fen)")) {
            try JSON.parse("1.5")
        }
        #expect(throws: JSONError(offset: 2, reason: "only integers are allowed (amounts are integer fen)")) {
            try JSON.parse("[1e5]")
        }
        #expect(throws: JSONError(offset: 1, reason: "expected digits")) { try JSON.parse("-") }
        #expect(throws: JSONError(offset: 1, reason: "expected digits")) { try JSON.parse("--1") }
    }

    @Test("strings: escapes anywhere, and a bad byte, a control character or no end is refused where it is")
    func strings() throws {
        #expect(try JSON.parse(#""a\nb""#) == .string("a\nb"))
        #expect(try JSON.parse(#""张三\"一组\\""#) == .string("张三\"一组\\"))
        #expect(try JSON.parse(#""\u5f20\u4e09""#) == .string("张三"))
        #expect(try JSON.parse(#""""#) == .string(""))
        #expect(throws: JSONError(offset: 3, reason: "string is not valid UTF-8")) {
            try JSON.parse([0x22, 0xFF, 0x22])
        }
        #expect(throws: JSONError(offset: 7, reason: "string is not valid UTF-8")) {
            try JSON.parse([0x22, 0x5C, 0x6E, 0x61, 0xC3, 0x28, 0x22])
        }
        #expect(throws: JSONError(offset: 3, reason: "control character in string")) {
            try JSON.parse([0x22, 0x61, 0x0A, 0x22])
        }
        #expect(throws: JSONError(offset: 4, reason: "unterminated string")) { try JSON.parse(#""abc"#) }
        #expect(throws: JSONError(offset: 6, reason: "unterminated string")) { try JSON.parse(#""a\"bc"#) }
        #expect(throws: JSONError(offset: 3, reason: "invalid escape")) { try JSON.parse(#""\x""#) }
    }

    @Test("objects: a repeated key is refused at the repeat; literals are read whole or refused")
    func objectsAndLiterals() throws {
        #expect(throws: JSONError(offset: 7, reason: "duplicate key \"a\"")) { try JSON.parse(#"{"a":1,"a":3}"#) }
        #expect(throws: JSONError(offset: 15, reason: "duplicate key \"a\"")) {
            try JSON.parse(#"{"a":1, "b":2, "a":3}"#)
        }
        #expect(
            try JSON.parse(#"{"a":{"a":{"a":[]}},"b":{}}"#)
                == .object(["a": .object(["a": .object(["a": .array([])])]), "b": .object([:])]))
        #expect(try JSON.parse("[true,false,null]") == .array([.bool(true), .bool(false), .null]))
        #expect(throws: JSONError(offset: 1, reason: "expected true")) { try JSON.parse("[tru]") }
        #expect(throws: JSONError(offset: 0, reason: "expected null")) { try JSON.parse("nul") }
        #expect(throws: JSONError(offset: 6, reason: "unterminated object")) { try JSON.parse(#"{"a":1"#) }
        #expect(throws: JSONError(offset: 6, reason: "expected , or } in object")) { try JSON.parse(#"{"a":1]"#) }
    }
}

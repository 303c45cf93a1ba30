import Foundation
import HearthCore
import HearthStore

/// The merge bench's ops as changesets its peer applies: the same field changes, op by op.
///
/// pygeodiff applies changesets in SQLite's changeset format (the session extension's, which
/// geodiff reads and writes). A changeset geodiff makes by comparing two databases holds one
/// entry per changed row and so folds a row's successive changes into one; written here
/// instead, it holds one entry per op in the ops' order: an INSERT of every column for the op
/// that creates a household, an UPDATE of exactly the op's fields for every later op, carrying
/// each field's value before the change as geodiff's own changesets do (it applies an update
/// only where the row still holds those values). Applied in order to the raw baseline's empty
/// table they leave the rows the raw baseline wrote, which the peer checks.
///
/// Format: a table header (`T`, the column count as a varint, one primary-key flag per column,
/// the table's name ending in a zero byte), then per change its operation (INSERT 18,
/// UPDATE 23), an "indirect" byte (0) and its records: an INSERT's new values; an UPDATE's old
/// values (the primary key and the changed columns) then its new values (the changed columns),
/// the other columns "undefined" (0). A value is a type byte: 1 and an 8-byte big-endian
/// integer, 3 and a varint length and UTF-8 bytes, 5 for NULL.
struct PeerChangeset {
    /// Each household's current row (by column, `id` first), to write an update's old values.
    private var rows: [String: [FieldValue]] = [:]
    private let names = RawUpsertBaseline.columns.map(\.name)

    /// Encodes `ops` (following every op encoded before by this value) as one changeset.
    mutating func encode(_ ops: ArraySlice<Op>) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "T")]
        bytes.reserveCapacity(ops.count * 64)
        Self.putVarint(UInt64(names.count + 1), into: &bytes)
        bytes.append(1)
        bytes.append(contentsOf: repeatElement(0, count: names.count))
        bytes.append(contentsOf: RawUpsertBaseline.table.utf8)
        bytes.append(0)
        for op in ops {
            let id = op.record.value
            if var row = rows[id] {
                var changed = Array(repeating: false, count: names.count)
                for (name, _) in op.fields {
                    if let column = names.firstIndex(of: name) { changed[column] = true }
                }
                bytes.append(contentsOf: [23, 0])
                Self.put(.text(id), into: &bytes)
                for column in names.indices {
                    if changed[column] { Self.put(row[column + 1], into: &bytes) } else { bytes.append(0) }
                }
                bytes.append(0)
                for column in names.indices {
                    guard changed[column] else {
                        bytes.append(0)
                        continue
                    }
                    let value = op.fields[names[column]] ?? .null
                    Self.put(value, into: &bytes)
                    row[column + 1] = value
                }
                rows[id] = row
            } else {
                let row = [FieldValue.text(id)] + names.map { op.fields[$0] ?? .null }
                bytes.append(contentsOf: [18, 0])
                for value in row { Self.put(value, into: &bytes) }
                rows[id] = row
            }
        }
        return bytes
    }

    /// A field's value as the raw baseline stores it (a set as its members joined by commas, a
    /// sealed value as its box).
    static func put(_ value: FieldValue, into bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(5)
        case .integer(let number):
            bytes.append(1)
            withUnsafeBytes(of: UInt64(bitPattern: number).bigEndian) { bytes.append(contentsOf: $0) }
        case .text(let text): putText(text, into: &bytes)
        case .set(let members):
            if members.isEmpty { bytes.append(5) } else { putText(members.joined(separator: ","), into: &bytes) }
        case .sealed(let sealed): putText(sealed.box, into: &bytes)
        }
    }

    private static func putText(_ text: String, into bytes: inout [UInt8]) {
        bytes.append(3)
        putVarint(UInt64(text.utf8.count), into: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    /// SQLite's varint: big-endian groups of 7 bits, the high bit set on every byte but the
    /// last (values below 2^56, all a changeset's lengths and counts can be).
    static func putVarint(_ value: UInt64, into bytes: inout [UInt8]) {
        precondition(value < 1 << 56, "a varint of more than 8 bytes")
        var groups: [UInt8] = [UInt8(value & 0x7f)]
        var rest = value >> 7
        while rest != 0 {
            groups.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(contentsOf: groups.reversed())
    }
}

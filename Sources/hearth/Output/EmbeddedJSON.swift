import HearthCore

/// A JSON value carried inside a `--json` document as it is, not re-typed by the CLI.
///
/// Used for one thing only: the op in `hearth log --json`, printed in its wire form. That form
/// is HearthCore's (``Op/json``, specified in Protocol/ops.md) and holds the fields of whatever
/// record the op writes, each a text, a number, a set or a sealed box; a second, typed copy of the
/// wire format here could drift from the one that is hashed and signed, so the CLI embeds the op's
/// own document instead.
struct EmbeddedJSON: Codable, Sendable, Equatable {
    let value: JSON

    init(_ value: JSON) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            value = .integer(number)
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let items = try? container.decode([EmbeddedJSON].self) {
            value = .array(items.map(\.value))
        } else {
            value = .object(try container.decode([String: EmbeddedJSON].self).mapValues(\.value))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .integer(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let items): try container.encode(items.map(EmbeddedJSON.init))
        case .object(let members): try container.encode(members.mapValues(EmbeddedJSON.init))
        }
    }
}

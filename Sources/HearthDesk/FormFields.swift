import Foundation

/// The fields of a form (`application/x-www-form-urlencoded`) or of a query string.
///
/// Why a parser of the desk's own: a field repeated, a `+` for a space and a malformed `%`
/// escape must each have one clear meaning. The first of a repeated field counts; a malformed
/// escape or invalid UTF-8 refuses the whole form (400) rather than guessing.
struct FormFields: Sendable {
    private var fields: [String: String] = [:]

    /// Most fields a desk form has, with room to spare.
    static let maxFields = 64

    init() {}

    init(encoded text: Substring) throws(DeskError) {
        guard !text.isEmpty else { return }
        let pairs = text.split(separator: "&", omittingEmptySubsequences: true)
        guard pairs.count <= Self.maxFields else { throw DeskError.badForm("too many fields") }
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
    }

    /// The form in a request body's bytes.
    init(body bytes: [UInt8]) throws(DeskError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DeskError.badForm("the form is not UTF-8")
        }
        try self.init(encoded: text[...])
    }

    subscript(name: String) -> String? { fields[name] }

    /// A field with surrounding white space removed; nil when absent or empty.
    func trimmed(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    private static func decode(_ part: Substring) throws(DeskError) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        guard let decoded = spaced.removingPercentEncoding else {
            throw DeskError.badForm("a field is not properly escaped")
        }
        return decoded
    }
}

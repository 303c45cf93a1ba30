/// Ids bound many to a statement (`WHERE id IN (?, ?, …)`), in groups of one size.
///
/// Why padded: the last group repeats its last id up to the size, so every group runs the one
/// statement text, prepared and cached once. A shorter last group would give each length a text
/// of its own, and a connection's statement cache one entry for each.
package enum SQLGroups {
    /// `ids` in groups of `size`, as values to bind; none for no ids.
    package static func padded(_ ids: [String], size: Int) -> [[SQLValue]] {
        stride(from: 0, to: ids.count, by: size).map { start in
            var values = ids[start..<min(ids.count, start + size)].map(SQLValue.text)
            while values.count < size { values.append(values[values.count - 1]) }
            return values
        }
    }

    /// The `?, ?, …` a group of `size` binds.
    package static func marks(_ size: Int) -> String {
        Array(repeating: "?", count: size).joined(separator: ", ")
    }
}

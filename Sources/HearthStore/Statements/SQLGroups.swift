/// Ids bound many to a statement (`WHERE id IN (?, ?, …)`), in groups of one size.
///
/// Why padded: the last group repeats its last id up to the size, so every group runs the one
/// statement text, prepared and cached once. A shorter last group would give each length a text
/// of its own, and a connection's statement cache one entry for each.
package enum SQLGroups {
    /// `ids` in groups of `size`, as values to bind; none for no ids.
    package static func padded(_ ids: [String], size: Int) -> [[SQLValue]] {
        padded(values: ids.map(SQLValue.text), size: size)
    }

    /// `values` in groups of `size`, the last padded with its last value; none for no values.
    package static func padded(values: [SQLValue], size: Int) -> [[SQLValue]] {
        stride(from: 0, to: values.count, by: size).map { start in
            var group = Array(values[start..<min(values.count, start + size)])
            while group.count < size { group.append(group[group.count - 1]) }
            return group
        }
    }

    /// The `?, ?, …` a group of `size` binds.
    package static func marks(_ size: Int) -> String {
        Array(repeating: "?", count: size).joined(separator: ", ")
    }
}

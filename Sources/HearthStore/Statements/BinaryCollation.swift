import Foundation

/// SQLite's BINARY collation in Swift: texts ordered by their UTF-8 bytes (memcmp), NULL
/// first. Work sorted in memory before it is written or read in the database's order (the
/// roll's book, the search index's pieces) sorts this way: Swift's `<` on strings compares
/// them as Unicode text, which is another order and several times slower.
package enum BinaryCollation {
    /// -1, 0 or 1 as `a` comes before, equals or comes after `b`.
    package static func compare(_ a: String?, _ b: String?) -> Int {
        guard var a, var b else { return a == nil ? (b == nil ? 0 : -1) : 1 }
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let bytes = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                if bytes != 0 { return bytes < 0 ? -1 : 1 }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }
}

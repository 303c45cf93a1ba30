/// How much of a workbook the reader will unpack, so that a zip bomb (a few kilobytes that
/// inflate to gigabytes) or a sheet of millions of cells is refused with an error instead of
/// filling the memory of the hub's machine.
///
/// The defaults are far above any county's roster (a county of 100 000 rows of 20 columns is
/// 2 million cells and some 60 MiB of worksheet XML) and far below what a small server holds.
public struct XLSXLimits: Sendable, Equatable {
    /// The largest workbook file read at all.
    public var fileBytes: Int
    /// The most bytes unpacked from the zip, over every part read, counted as they are
    /// inflated (a zip's declared sizes can lie).
    public var unpackedBytes: Int
    /// The most cells kept, empty cells between filled ones included (a row's cells up to its
    /// last filled column).
    public var cells: Int

    public init(fileBytes: Int, unpackedBytes: Int, cells: Int) {
        self.fileBytes = fileBytes
        self.unpackedBytes = unpackedBytes
        self.cells = cells
    }

    /// 100 MiB of file, 256 MiB unpacked, 2 million cells.
    public static let standard = XLSXLimits(
        fileBytes: 100 << 20, unpackedBytes: 256 << 20, cells: 2_000_000)
}

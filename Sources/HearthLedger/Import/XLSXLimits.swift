/// How much of a workbook the reader will take in, so that a zip bomb (a few kilobytes that
/// inflate to gigabytes), a sheet of millions of empty cells or one long string named by every
/// cell is refused with an error instead of filling the memory of the hub's machine.
///
/// The defaults hold the largest county's roster with room to spare, and no more than a small
/// server can keep. A county of 380,000 people is a roster of 380,000 rows of 13 columns:
/// about 5 million cells, 280 MB of XML as LibreOffice saves it, and some 45 MB of text once
/// read. The XML is inflated a window at a time (``ZipPartStream``), so what it unpacks to
/// costs time, not memory; what is kept is the text, bounded by ``textBytes``.
public struct XLSXLimits: Sendable, Equatable {
    /// The largest workbook file read at all.
    public var fileBytes: Int
    /// The most bytes unpacked from the zip, over every part read, counted as they are
    /// inflated (a zip's declared sizes can lie).
    public var unpackedBytes: Int
    /// The most cells kept, empty cells between filled ones included (a row's cells up to its
    /// last filled column); also the most shared strings.
    public var cells: Int
    /// The most bytes of text kept: the shared strings, and the cells read (a shared string is
    /// counted again for every cell that names it).
    public var textBytes: Int

    public init(fileBytes: Int, unpackedBytes: Int, cells: Int, textBytes: Int) {
        self.fileBytes = fileBytes
        self.unpackedBytes = unpackedBytes
        self.cells = cells
        self.textBytes = textBytes
    }

    /// 100 MiB of file, 1 GiB unpacked, 10 million cells, 512 MiB of text.
    public static let standard = XLSXLimits(
        fileBytes: 100 << 20, unpackedBytes: 1 << 30, cells: 10_000_000, textBytes: 512 << 20)
}

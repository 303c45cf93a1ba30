import Foundation
import Testing
import ZIPFoundation

@testable import HearthCore
@testable import HearthLedger

/// The zip under every .xlsx the hub reads: its directory (``ZipDirectory``) and its parts
/// inflated a window at a time (``ZipPartStream``), on zips ZIPFoundation writes and on zips
/// put together byte by byte here, in the forms other writers use (stored parts, data
/// descriptors, ZIP64 fields, comments) and in forms that are damaged or hostile.
@Suite("Reading the zip of a workbook")
struct ZipReadingTests {
    /// One part of a zip put together by hand.
    struct HandPart {
        var path: String
        /// The bytes as stored: deflated (method 8) or as they are (method 0).
        var stored: [UInt8]
        var method: UInt16
        /// What the directory says the part inflates to.
        var size: Int
        var crc: UInt32
        /// Sizes and offset given in a ZIP64 extra field, the 32-bit fields all ones.
        var zip64 = false
        /// Sizes left out of the local header (bit 3), given in a descriptor after the data.
        var descriptor = false
        var flags: UInt16 = 0
    }

    /// The deflated bytes and checksum of `text`, taken from a zip ZIPFoundation writes.
    static func deflated(_ text: [UInt8]) throws -> HandPart {
        let bytes = try XLSXReaderTests.zip([("p", String(decoding: text, as: UTF8.self))])
        let entry = try ZipDirectory.locate(try #require(try ZipDirectory(bytes).entry("p")), in: bytes)
        return HandPart(
            path: "p", stored: Array(bytes[entry.data]), method: 8, size: text.count, crc: CRC32.checksum(text))
    }

    static func stored(_ path: String, _ text: String) -> HandPart {
        let bytes = Array(text.utf8)
        return HandPart(path: path, stored: bytes, method: 0, size: bytes.count, crc: CRC32.checksum(bytes))
    }

    /// A zip of `parts`, each with its local header (an extra field of its own, unlike the
    /// directory's), the directory, a ZIP64 end record when `zip64End`, and a comment.
    static func handZip(_ parts: [HandPart], zip64End: Bool = false, comment: String = "") -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ value: Int) { out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func u32(_ value: Int) {
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(value >> shift & 0xFF)) }
        }
        func u64(_ value: Int) {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(value >> shift & 0xFF)) }
        }
        var offsets: [Int] = []
        for part in parts {
            offsets.append(out.count)
            let name = Array(part.path.utf8)
            u32(0x0403_4B50)
            u16(20)
            u16(Int(part.flags) | (part.descriptor ? 8 : 0))
            u16(Int(part.method))
            u32(0)
            u32(part.descriptor ? 0 : Int(part.crc))
            u32(part.descriptor ? 0 : part.stored.count)
            u32(part.descriptor ? 0 : part.size)
            u16(name.count)
            u16(5)
            out += name
            out += [0xCA, 0xFE, 1, 0, 0x2A]  // an extra field the reader must step over
            out += part.stored
            if part.descriptor {
                u32(0x0807_4B50)
                u32(Int(part.crc))
                u32(part.stored.count)
                u32(part.size)
            }
        }
        let directoryStart = out.count
        for (part, offset) in zip(parts, offsets) {
            let name = Array(part.path.utf8)
            u32(0x0201_4B50)
            u16(45)
            u16(45)
            u16(Int(part.flags) | (part.descriptor ? 8 : 0))
            u16(Int(part.method))
            u32(0)
            u32(Int(part.crc))
            u32(part.zip64 ? 0xFFFF_FFFF : part.stored.count)
            u32(part.zip64 ? 0xFFFF_FFFF : part.size)
            u16(name.count)
            u16(part.zip64 ? 28 : 0)
            u16(0)
            u16(0)
            u16(0)
            u32(0)
            u32(part.zip64 ? 0xFFFF_FFFF : offset)
            out += name
            if part.zip64 {
                u16(1)
                u16(24)
                u64(part.size)
                u64(part.stored.count)
                u64(offset)
            }
        }
        let directorySize = out.count - directoryStart
        if zip64End {
            let recordStart = out.count
            u32(0x0606_4B50)
            u64(44)
            u16(45)
            u16(45)
            u32(0)
            u32(0)
            u64(parts.count)
            u64(parts.count)
            u64(directorySize)
            u64(directoryStart)
            u32(0x0706_4B50)
            u32(0)
            u64(recordStart)
            u32(1)
        }
        u32(0x0605_4B50)
        u16(0)
        u16(0)
        u16(zip64End ? 0xFFFF : parts.count)
        u16(zip64End ? 0xFFFF : parts.count)
        u32(zip64End ? 0xFFFF_FFFF : directorySize)
        u32(zip64End ? 0xFFFF_FFFF : directoryStart)
        let commentBytes = Array(comment.utf8)
        u16(commentBytes.count)
        out += commentBytes
        return out
    }

    /// A workbook's parts by hand: the first sheet holds `sheet`.
    static func handWorkbook(sheet: HandPart, shared: HandPart? = nil, zip64End: Bool = false, comment: String = "")
        -> [UInt8]
    {
        var sheet = sheet
        sheet.path = "xl/worksheets/first.xml"
        var parts = [
            stored("xl/workbook.xml", XLSXReaderTests.workbook),
            stored("xl/_rels/workbook.xml.rels", XLSXReaderTests.workbookRels), sheet,
        ]
        if var shared {
            shared.path = "xl/sharedStrings.xml"
            parts.append(shared)
        }
        return handZip(parts, zip64End: zip64End, comment: comment)
    }

    static let rows = XLSXReaderTests.sheet(
        (1...300).map { "<row r=\"\($0)\"><c r=\"A\($0)\" t=\"inlineStr\"><is><t>王秀英\($0)</t></is></c></row>" }.joined()
    )

    /// Why the workbook is refused, as the reader's own tests ask it.
    func error(_ bytes: [UInt8], limits: XLSXLimits = .standard) -> SpreadsheetError? {
        XLSXReaderTests().error(bytes, limits: limits)
    }

    @Test("every part inflates whole and exactly, read in windows of any size, stored or deflated")
    func partsExactly() throws {
        var random = SplitMix64(seed: 0x5A1D)
        var parts: [(String, String)] = []
        for index in 0..<12 {
            // Sizes either side of the stream's window, text that deflates well and text that does not.
            let length = [
                0, 1, 100, ZipPartStream.windowSize - 1, ZipPartStream.windowSize, 3 * ZipPartStream.windowSize + 7,
            ][
                index % 6]
            let text = String(
                (0..<length).map { _ in
                    index % 2 == 0
                        ? Character(UnicodeScalar(UInt8(97 + random.next() % 3)))
                        : Character(UnicodeScalar(UInt8(33 + random.next() % 90)))
                })
            parts.append(("part\(index).xml", text))
        }
        let deflatedZip = try XLSXReaderTests.zip(parts)
        let storedZip = Self.handZip(parts.map { Self.stored($0.0, $0.1) })
        for bytes in [deflatedZip, storedZip] {
            let directory = try ZipDirectory(bytes)
            #expect(directory.entries.map(\.path) == parts.map(\.0))
            for (path, text) in parts {
                let entry = try ZipDirectory.locate(try #require(directory.entry(path)), in: bytes)
                let stream = try ZipPartStream(entry, in: bytes, budget: .max)
                var read: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 200_000)
                while true {
                    let want = 1 + Int(random.next() % 100_000)
                    let count = buffer.withUnsafeMutableBufferPointer { stream.read($0.baseAddress!, maxLength: want) }
                    #expect(count <= want)
                    if count <= 0 {
                        #expect(count == 0)
                        break
                    }
                    read += buffer[..<count]
                }
                #expect(stream.failure == nil)
                #expect(read == Array(text.utf8), "\(path)")
                #expect(stream.produced == text.utf8.count)
            }
        }
    }

    @Test("the zip forms other writers use read alike: stored parts, data descriptors, ZIP64 fields and end, comments")
    func writerForms() throws {
        let expected = (1...300).map { ["王秀英\($0)"] }
        var sheet = try Self.deflated(Array(Self.rows.utf8))
        for (zip64, descriptor, zip64End, comment) in [
            (false, false, false, ""), (true, false, false, ""), (false, true, false, "保存于 WPS"),
            (true, true, true, "x"),
        ] {
            sheet.zip64 = zip64
            sheet.descriptor = descriptor
            let bytes = Self.handWorkbook(sheet: sheet, zip64End: zip64End, comment: comment)
            let records = try XLSXWorkbook.records(bytes, file: "r.xlsx")
            #expect(records.map(\.fields) == expected, "zip64 \(zip64), descriptor \(descriptor), end \(zip64End)")
        }
        let stored = Self.stored("", Self.rows)
        #expect(try XLSXWorkbook.records(Self.handWorkbook(sheet: stored), file: "r.xlsx").map(\.fields) == expected)
    }

    @Test("a part that does not inflate to what the directory declares is refused as damaged, never read short")
    func damagedParts() throws {
        let good = try Self.deflated(Array(Self.rows.utf8))
        var wrongCRC = good
        wrongCRC.crc ^= 1
        var shorter = good
        shorter.size -= 1
        var longer = good
        longer.size += 1
        var truncated = good
        truncated.stored = Array(good.stored.prefix(good.stored.count / 2))
        var storedShort = Self.stored("", Self.rows)
        storedShort.stored.removeLast(40)
        var bzip2 = good
        bzip2.method = 12
        for (name, part) in [
            ("wrong CRC", wrongCRC), ("declared shorter", shorter), ("declared longer", longer),
            ("truncated", truncated), ("stored, truncated", storedShort), ("bzip2", bzip2),
        ] {
            guard case .damagedWorkbook(_, let path, let reason) = error(Self.handWorkbook(sheet: part)) else {
                Issue.record("\(name): \(String(describing: error(Self.handWorkbook(sheet: part))))")
                continue
            }
            #expect(path == "xl/worksheets/first.xml")
            #expect(reason == "it cannot be unpacked", "\(name)")
        }
        // An encrypted part is not a workbook's: it is passed over, and the sheet is missing.
        var encrypted = good
        encrypted.flags = 1
        #expect(error(Self.handWorkbook(sheet: encrypted)) == .noWorksheet(file: "r.xlsx"))
    }

    @Test("a part that inflates past the budget is stopped there, whatever size the directory declares")
    func lyingSizes() throws {
        let blanks = Self.rows.replacingOccurrences(
            of: "</sheetData>", with: String(repeating: " ", count: 4 << 20) + "</sheetData>")
        var bomb = try Self.deflated(Array(blanks.utf8))
        #expect(bomb.stored.count < 64 << 10)
        bomb.size = 100  // the directory lies: a few bytes
        let small = XLSXLimits(fileBytes: 1 << 20, unpackedBytes: 1 << 20, cells: 1000, textBytes: 1 << 20)
        #expect(
            error(Self.handWorkbook(sheet: bomb), limits: small)
                == .tooLarge(file: "r.xlsx", limit: "it unpacks to more than 1 MiB"))
        // Within the budget the same lie is found at the end: the part is longer than declared.
        guard case .damagedWorkbook = error(Self.handWorkbook(sheet: bomb)) else {
            Issue.record("a part longer than declared was read")
            return
        }
    }

    @Test("a document type is refused even when it straddles two of the stream's windows")
    func doctypeAcrossWindows() throws {
        let declaration = "<!DOCTYPE w [<!ENTITY a \"b\">]>"
        for split in 1..<9 {
            // A comment pads the prolog so that `<!DOCTYPE` begins `split` bytes before a window ends.
            let head = "<?xml version=\"1.0\"?><!--"
            let pad = String(repeating: "x", count: ZipPartStream.windowSize - split - head.utf8.count - 3)
            let text = head + pad + "-->" + declaration + Self.rows
            #expect(Array(text.utf8)[ZipPartStream.windowSize - split] == UInt8(ascii: "<"))
            for part in [Self.stored("", text), try Self.deflated(Array(text.utf8))] {
                // The stream's windows are whole: the seam falls where the test put it.
                let bytes = Self.handZip([part])
                let stream = try ZipPartStream(
                    ZipDirectory.locate(try #require(try ZipDirectory(bytes).entry(part.path)), in: bytes), in: bytes,
                    budget: .max)
                var buffer = [UInt8](repeating: 0, count: 2 * ZipPartStream.windowSize)
                #expect(
                    buffer.withUnsafeMutableBufferPointer { stream.read($0.baseAddress!, maxLength: $0.count) }
                        == ZipPartStream.windowSize)
                guard case .damagedWorkbook(_, _, let reason) = error(Self.handWorkbook(sheet: part)) else {
                    Issue.record("split \(split), method \(part.method): a DTD was read")
                    continue
                }
                #expect(reason.contains("document type"))
            }
        }
        #expect(!ZipPartStream.declaresDoctype(UnsafeRawBufferPointer(start: nil, count: 0)))
        #expect(Array("<!doctype x>".utf8).withUnsafeBytes(ZipPartStream.declaresDoctype))
        #expect(!Array("<!DOCTYP x> <!-- <!DOC -->".utf8).withUnsafeBytes(ZipPartStream.declaresDoctype))
    }

    @Test("a damaged directory is refused as not a workbook: counts, offsets and sizes beyond the file")
    func damagedDirectory() throws {
        let good = Self.handWorkbook(sheet: Self.stored("", Self.rows))
        let end = good.count - 22
        func patched(_ at: Int, _ values: [UInt8]) -> [UInt8] {
            var bytes = good
            bytes.replaceSubrange(at..<at + values.count, with: values)
            return bytes
        }
        for (name, bytes) in [
            ("more entries than the directory holds", patched(end + 8, [0xFF, 0x7F, 0xFF, 0x7F])),
            ("the directory past the end", patched(end + 16, [0xFF, 0xFF, 0xFF, 0x00])),
            ("a directory larger than the file", patched(end + 12, [0xFF, 0xFF, 0xFF, 0x00])),
            ("ZIP64 without its record", patched(end + 16, [0xFF, 0xFF, 0xFF, 0xFF])),
            ("no end record", Array(good.prefix(end))),
            (
                "more parts than a zip holds without ZIP64",
                Self.handZip(
                    (0...ZipDirectory.maxEntries).map { Self.stored("p\($0)", "") }
                        + [Self.stored("xl/workbook.xml", XLSXReaderTests.workbook)], zip64End: true)
            ),
        ] {
            #expect(error(bytes) == .notAWorkbook(file: "r.xlsx"), "\(name)")
        }
    }

    @Test("any byte of a workbook changed: it reads, or it is refused with a spreadsheet error; never a crash")
    func flippedBytes() throws {
        let workbooks = [
            try XLSXReaderTests.workbook(sheet: Self.rows),
            Self.handWorkbook(sheet: Self.stored("", Self.rows), zip64End: true),
        ]
        var random = SplitMix64(seed: 0xB17E)
        var refused = 0
        for round in 0..<600 {
            var bytes = workbooks[round % 2]
            for _ in 0...(random.next() % 3) {
                bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 + random.next() % 255)
            }
            if error(bytes) != nil { refused += 1 }
        }
        // Most changes land in compressed data or a header, and are caught.
        #expect(refused > 300)
    }

    @Test(
        "a zip Hearth writes reads part for part in another reader (ZIPFoundation) and in its own, and is the same bytes each time"
    )
    func written() throws {
        var random = SplitMix64(seed: 0x217E)
        var parts: [(String, [UInt8])] = []
        for index in 0..<8 {
            let length = [0, 1, 5_000, ZipWriter.Part.windowSize, 3 * ZipWriter.Part.windowSize + 11][index % 5]
            parts.append(
                (
                    "xl/part\(index).xml",
                    (0..<length).map { _ in UInt8(truncatingIfNeeded: 40 + random.next() % (index % 2 == 0 ? 4 : 200)) }
                ))
        }
        func write() throws -> [UInt8] {
            var zip = ZipWriter()
            for (path, bytes) in parts {
                try zip.add(path) { part in
                    // Written in uneven pieces, flushed as a worksheet is, a row at a time.
                    var at = 0
                    while at < bytes.count {
                        let end = min(bytes.count, at + 1 + Int(random.next() % 70_000))
                        part.append(bytes[at..<end])
                        try part.flushIfFull()
                        at = end
                    }
                }
            }
            return zip.finish()
        }
        let bytes = try write()
        #expect(try write() == bytes)
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        let directory = try ZipDirectory(bytes)
        for (path, expected) in parts {
            let entry = try #require(archive[path])
            var read = Data()
            _ = try archive.extract(entry, skipCRC32: false) { read.append($0) }
            #expect(Array(read) == expected, "\(path) through ZIPFoundation")
            let stream = try ZipPartStream(
                ZipDirectory.locate(try #require(directory.entry(path)), in: bytes), in: bytes, budget: .max)
            var ours: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while case let count = buffer.withUnsafeMutableBufferPointer({
                stream.read($0.baseAddress!, maxLength: $0.count)
            }),
                count > 0
            {
                ours += buffer[..<count]
            }
            #expect(stream.failure == nil)
            #expect(ours == expected, "\(path) through Hearth's reader")
        }
        #expect(Array(archive).map(\.path) == parts.map(\.0))
    }

    @Test("numbers written in decimal as the standard library spells them")
    func decimals() throws {
        var zip = ZipWriter()
        let values = [0, 7, -7, 10, 99, 100, 54_455, Int.max, Int.min, -1_000_000]
        try zip.add("n") { part in
            for value in values {
                part.append(decimal: value)
                part.append(UInt8(ascii: ","))
            }
        }
        let bytes = zip.finish()
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        var read = Data()
        _ = try archive.extract(try #require(archive["n"])) { read.append($0) }
        #expect(String(decoding: read, as: UTF8.self) == values.map(String.init).joined(separator: ",") + ",")
    }
}

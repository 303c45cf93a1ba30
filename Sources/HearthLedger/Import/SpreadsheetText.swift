#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import HearthText

/// How a spreadsheet file's bytes were turned into text.
public enum SpreadsheetEncoding: String, Sendable {
    /// UTF-8 without a byte-order mark (LibreOffice, scripts, most web exports).
    case utf8 = "utf-8"
    /// UTF-8 with a byte-order mark: Excel's "CSV UTF-8 (逗号分隔)".
    case utf8BOM = "utf-8-bom"
    /// GB18030 (a superset of GBK and GB2312): Excel's plain "CSV (逗号分隔)" on a Chinese system.
    case gb18030
    /// Not text: an Excel workbook (.xlsx), its first worksheet read (``XLSXWorkbook``).
    case xlsx

    /// The name shown to people, in the process's language.
    public var displayName: String { displayName(in: .current) }

    /// The name shown to people, in `language`.
    public func displayName(in language: Language) -> String {
        switch self {
        case .utf8: return "UTF-8"
        case .utf8BOM: return Catalogue.text("sheet.encoding.utf8_bom", in: language)
        case .gb18030: return "GB18030"
        case .xlsx: return Catalogue.text("sheet.encoding.xlsx", in: language)
        }
    }
}

/// The text of a spreadsheet file, decoded the way the county's files actually come.
///
/// Excel on a Chinese system saves "CSV" in the system code page (GBK, read here as its
/// superset GB18030) and "CSV UTF-8" with a byte-order mark; other tools write UTF-8
/// without one. The file carries no label, so the bytes decide: valid UTF-8 (after a BOM,
/// if any) is UTF-8, anything else must decode as GB18030 or the file is refused. Chinese
/// text in GBK is practically never valid UTF-8, so the guess does not go wrong in practice.
public struct SpreadsheetText: Sendable {
    public let text: String
    public let encoding: SpreadsheetEncoding

    /// Decodes a file's bytes; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws(SpreadsheetError) -> SpreadsheetText {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let text = String(validating: bytes.dropFirst(3), as: UTF8.self) else { throw .notText(file: file) }
            return SpreadsheetText(text: text, encoding: .utf8BOM)
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { throw .utf16(file: file) }
        // Zip (xlsx) and OLE2 (xls) signatures.
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw .workbook(file: file)
        }
        guard !bytes.isEmpty else { throw .empty(file: file) }
        // Text files hold no NUL byte; UTF-16 without a BOM and binary files do.
        guard !bytes.contains(0) else { throw .notText(file: file) }
        if let text = String(validating: bytes, as: UTF8.self) {
            return SpreadsheetText(text: text, encoding: .utf8)
        }
        guard let text = GB18030.decode(bytes) else { throw .notText(file: file) }
        return SpreadsheetText(text: text, encoding: .gb18030)
    }
}

/// GB18030 to UTF-8 through the C library's iconv, which every Linux and macOS has.
enum GB18030 {
    /// The text, or nil when the bytes are not valid GB18030 (or the converter is missing).
    static func decode(_ bytes: [UInt8]) -> String? {
        convert(bytes, from: "GB18030", to: "UTF-8").flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Text as GB18030 bytes, as Excel on a Chinese system saves it (tests build files with it).
    static func encode(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// One whole-buffer conversion; nil on any invalid or incomplete input sequence.
    static func convert(_ bytes: [UInt8], from source: String, to target: String) -> [UInt8]? {
        guard !bytes.isEmpty else { return [] }
        guard let converter = iconv_open(target, source), Int(bitPattern: converter) != -1 else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        // GB18030 <-> UTF-8 never more than doubles the size (2 bytes -> 3, 4 -> 4, 1 -> 1; 3 -> 2 or 4).
        var output = [CChar](repeating: 0, count: bytes.count * 2 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress
                var outLeft = outBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else {
                    return nil
                }
                guard iconv(converter, nil, nil, &outPointer, &outLeft) != -1 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        return output[..<produced].map { UInt8(bitPattern: $0) }
    }
}

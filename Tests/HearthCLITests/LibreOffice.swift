import Foundation
import HearthTestSupport

/// LibreOffice (Debian's `soffice`, headless) as the spreadsheet program of the import and
/// export tests: it turns a CSV the test writes into a real .xlsx, and a workbook Hearth wrote
/// back into CSV, as a clerk's Excel would read it.
///
/// Each run has a profile directory of its own (`-env:UserInstallation`), so parallel tests do
/// not share LibreOffice's lock. Tests that need it are enabled by ``usable``: skipped where it
/// is missing, unless HEARTH_CI is set, where its absence fails them.
enum LibreOffice {
    static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/soffice" } + ["/usr/bin/soffice"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// True when the tests can run: LibreOffice is installed, or CI requires it.
    static var usable: Bool { executable != nil || ProcessInfo.processInfo.environment["HEARTH_CI"] != nil }

    /// Runs soffice with `arguments` and a profile of its own; fails with its output when it fails
    /// or writes nothing.
    static func run(_ arguments: [String]) async throws {
        try await offPool { try runBlocking(arguments) }
    }

    private static func runBlocking(_ arguments: [String]) throws {
        guard let executable else { throw CLITestFailure("LibreOffice (soffice) is not installed; CI installs it") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-lo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments =
            ["--headless", "--norestore", "-env:UserInstallation=\(profile.absoluteString)"] + arguments
        process.standardError = .output
        let text = try process.outputs().text.standardOutput
        guard process.terminationStatus == 0 else {
            throw CLITestFailure("soffice \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    /// The CSV at `csv` (UTF-8, comma) as a workbook beside it, as LibreOffice Calc imports it:
    /// the 1-based `textColumns` as text, every other cell as Calc reads it (`001` becomes the
    /// number 1, `1.30102E+11` a number in scientific format, a date a date).
    static func xlsx(fromCSV csv: String, textColumns: [Int]) async throws -> String {
        let directory = (csv as NSString).deletingLastPathComponent
        let formats = textColumns.map { "\($0)/2" }.joined(separator: "/")
        try await run([
            "--infilter=CSV:44,34,76,1,\(formats)", "--convert-to", "xlsx", "--outdir", directory, csv,
        ])
        let out = (csv as NSString).deletingPathExtension + ".xlsx"
        guard FileManager.default.fileExists(atPath: out) else { throw CLITestFailure("soffice wrote no \(out)") }
        return out
    }

    /// Every worksheet of the workbook, as LibreOffice shows its cells, by sheet name.
    static func sheets(of xlsx: String) async throws -> [String: [[String]]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-lo-out-\(UUID().uuidString)"
        )
        .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // UTF-8, comma, cells as shown, every sheet to a file of its own (name-Sheet.csv).
        try await run([
            "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", "--outdir",
            directory, xlsx,
        ])
        let base = ((xlsx as NSString).lastPathComponent as NSString).deletingPathExtension
        var sheets: [String: [[String]]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".csv") {
            let sheet = String(name.dropFirst(base.count + 1).dropLast(4))
            sheets[sheet] = parse(try String(contentsOfFile: directory + "/" + name, encoding: .utf8))
        }
        return sheets
    }

    /// RFC 4180 rows (quotes, doubled quotes, line breaks in quotes).
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = text.replacingOccurrences(of: "\r\n", with: "\n").makeIterator()
        var pending: Character? = characters.next()
        if pending == "\u{FEFF}" { pending = characters.next() }
        while let character = pending {
            pending = characters.next()
            if quoted {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}

import Crypto
import Foundation
import HearthText

/// Reads and writes the key file: three short lines, created with mode 0600.
///
///     hearth-key 1
///     data <base64 of 32 bytes>
///     signing <base64 of the 32-byte Ed25519 private key>
public enum KeyFile {
    /// The default place for a database's key file: beside it, never inside it.
    public static func defaultPath(forDatabase path: String) -> String { path + ".key" }

    public static func encode(_ keys: KeyMaterial) -> String {
        let data = keys.dataKey.withUnsafeBytes { Data($0) }.base64EncodedString()
        let signing = keys.signingKey.rawRepresentation.base64EncodedString()
        return "hearth-key 1\ndata \(data)\nsigning \(signing)\n"
    }

    public static func decode(_ text: String, source: String) throws(KeyError) -> KeyMaterial {
        var data: Data?
        var signing: Data?
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.first == "hearth-key 1" else { throw .malformed(source: source) }
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "data" { data = Data(base64Encoded: parts[1]) }
            if parts[0] == "signing" { signing = Data(base64Encoded: parts[1]) }
        }
        guard let data, data.count == 32, let signing,
            let signingKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: signing)
        else { throw .malformed(source: source) }
        return KeyMaterial(dataKey: SymmetricKey(data: data), signingKey: signingKey)
    }

    /// Writes a new key file readable only by its owner; refuses to replace one.
    public static func create(_ keys: KeyMaterial, at path: String) throws(KeyError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = Array(encode(keys).utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw .unreadable(path: path, reason: Catalogue.text("key.not_written"))
        }
    }

    /// Loads keys from `HEARTH_KEY` (the file's content) or from a file that only its owner can read.
    public static func load(path: String, environment: [String: String]) throws(KeyError) -> KeyMaterial {
        if let inline = environment["HEARTH_KEY"], !inline.isEmpty {
            return try decode(inline.replacingOccurrences(of: "\\n", with: "\n"), source: "HEARTH_KEY")
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .missing(path: path) }
        if info.st_mode & 0o077 != 0 {
            throw .tooOpen(path: path, mode: String(info.st_mode & 0o777, radix: 8))
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw .unreadable(path: path, reason: Catalogue.text("key.not_text")) }
        return try decode(text, source: path)
    }
}

import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthStore
import Logging
import Synchronization
import Testing

/// Every log line written through a ``CapturingLogHandler``, as text: level, message, and every
/// metadata key and value (the logger's own and the call's).
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger at trace level whose every line lands here.
    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        all.merge(metadataProvider?.get() ?? [:]) { _, new in new }
        all.merge(event.metadata ?? [:]) { _, new in new }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let error = event.error.map { " error: \(String(describing: $0))" } ?? ""
        log.append("\(event.level) \(event.message) \(pairs)\(error)")
    }
}

@Suite("What the hub and the node log")
struct LogPrivacyTests {
    static let card = "6222020200112233445"

    @Test(
        "a push carrying an ID number and a bank card, and hostile pushes carrying an ID number in clear, are logged with their node, endpoint and counts, and no log line holds the number, the card or a secret"
    )
    func noSensitiveValueInLogs() async throws {
        let county = try TestCounty()
        let captured = CapturedLog()
        let service = HubService(ledger: county.hub, logger: captured.logger("hearth.hub"), clock: TestCounty.clock)
        let number = idNumber(born: "19600101", sequence: "011")
        let clearNumber = idNumber(born: "19700202", sequence: "022")
        let token = try await county.enrollmentToken(name: "village-001", scope: TestCounty.village1)
        let pushed = try await withRunningHub(service) { url in
            let village = try await county.node(token: token, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            var input = MemberInput()
            input.household = home.value
            input.name = "张三"
            input.idNumber = number
            input.relation = "head"
            input.bankCard = Self.card
            _ = try village.addMember(input, author: "w1", nowMillis: TestCounty.now)
            let client = try SyncClient(
                replica: village, baseURL: url, logger: captured.logger("hearth.client"), clock: TestCounty.clock)
            let summary: SyncSummary
            do {
                summary = try await client.sync()
                await client.shutdown()
            } catch {
                await client.shutdown()
                throw error
            }
            #expect(summary.pushedOps >= 2, "the household and its member")

            // A tampered laptop: the ID number in clear where a sealed one belongs, and in
            // fields and bodies that are not what the hub expects at all.
            let forger = try Forger(village, url: url, hubKey: county.hub.info.publicKey)
            let member = try forger.op(
                creates: .member, scope: TestCounty.village1,
                fields: [
                    "village": .text(TestCounty.village1), "household": .text(home.value), "name": .text("李四"),
                    "id_number": .text(clearNumber), "vital_status": .text("alive"),
                ])
            let unsealed = try await forger.push([member])
            #expect(unsealed.status == 200 || unsealed.status == 400)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            for body in [
                JSON.object(["v": .integer(1), "replica": .string(clearNumber)]).canonicalBytes,
                Array("{\"v\": 1, \"ops\": [\"\(clearNumber)\"".utf8),
                Array(clearNumber.utf8),
            ] {
                let answer = try await raw.send(
                    try SignedRequest(path: SyncPath.push, rawBody: Gzip.compress(body), signedBy: village))
                #expect(answer.status == 400, "the hub answered \(answer.status)")
            }
            return summary.pushedOps
        }
        let lines = captured.all
        // The outcomes were logged, with what they came to.
        #expect(
            lines.contains {
                $0.contains("answered push") && $0.contains("node=village-001") && $0.contains("ops=\(pushed)")
                    && $0.contains("duration_ms=")
            }, "no hub line for the push")
        #expect(lines.contains { $0.contains("answered register") && $0.contains("node=village-001") })
        #expect(lines.contains { $0.contains("refused push") && $0.contains("code=bad_request") })
        #expect(lines.contains { $0.hasPrefix("info synced") && $0.contains("pushed_ops=\(pushed)") })
        #expect(lines.contains { $0.contains("exchanged") && $0.contains("endpoint=/v1/pull") })
        // And nothing sensitive, in any form the values were sent in.
        let secrets: [(what: String, value: String)] = [
            ("an ID number", number), ("an ID number sent in clear", clearNumber), ("a bank card", Self.card),
            ("the registration secret", token.secret), ("the county data key", token.dataKey),
        ]
        for line in lines {
            // Named, not quoted: a failure must not print the value either.
            let held = secrets.filter { line.contains($0.value) }.map(\.what)
            let shown = secrets.reduce(line) { $0.replacingOccurrences(of: $1.value, with: "<\($1.what)>") }
            #expect(held.isEmpty, "a log line holds \(held): \(shown)")
        }
    }
}

import ArgumentParser
import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Logging

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: L("cmd.node.abstract"),
        subcommands: [
            NodeInit.self, NodeSync.self, NodeExport.self, NodeImport.self, NodeReidentify.self, NodeCompact.self,
        ])
}

struct NodeInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: L("cmd.node.init.abstract"),
        discussion: L("cmd.node.init.discussion"))

    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.node.name")) var name: String?
    @Option(help: .text("opt.node.scope"))
    var scope: String?
    @OptionGroup var enrollmentToken: TokenOptions
    @Option(help: .text("opt.node.hub")) var hub: String?
    @Option(help: .text("opt.node.ca")) var ca: String?
    @Flag(help: .text("opt.node.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let path = try replica.databasePath
            var keys = KeyMaterial.generate()
            var enrollment: EnrollmentToken?
            if let token = try enrollmentToken.text() {
                let parsed = try EnrollmentToken(text: token)
                guard let dataKey = Data(base64Encoded: parsed.dataKey), dataKey.count == 32 else {
                    throw InputError(field: "token", "input.token_key_damaged")
                }
                keys = KeyMaterial(dataKey: SymmetricKey(data: dataKey), signingKey: Curve25519.Signing.PrivateKey())
                enrollment = parsed
            } else if hub != nil {
                throw CLIError.usage(L("error.hub_needs_token"))
            }
            guard let scopeText = scope ?? enrollment?.scope else {
                throw CLIError.usage(L("error.give_scope"))
            }
            let prefix = try ScopePrefix.parse(scopeText, field: "scope")
            guard prefix.level != .county else {
                throw InputError(field: "scope", "input.node_scope_level")
            }
            if let enrollment, enrollment.scope != prefix.value {
                throw InputError(
                    field: "scope", "input.token_scope", ["token": enrollment.scope, "scope": prefix.value])
            }
            guard let nodeName = name ?? enrollment?.name else { throw CLIError.usage(L("error.give_name")) }
            if let hub, !SyncClient.isAcceptable(hub) {
                throw CLIError.usage(L("error.https_tests"))
            }
            let created = try Replica.create(
                path: path, keyPath: replica.keyPath, name: nodeName, scope: prefix,
                nowMillis: nowMillis(),
                keys: keys)
            if let enrollment {
                try created.setHub(
                    replica: enrollment.hub, key: enrollment.hubKey, url: hub,
                    pendingRegistration: hub == nil ? enrollment.secret + "\n" + nodeName : nil)
                if let hub {
                    let client = try SyncClient(replica: created, baseURL: hub, caFile: ca, clock: { nowMillis() })
                    do {
                        let answer = try await client.register(secret: enrollment.secret, name: nodeName)
                        await client.shutdown()
                        guard answer.hub == enrollment.hub, answer.scope == prefix.value else {
                            throw CLIError.failed(L("error.other_hub", ["hub": hub]))
                        }
                    } catch {
                        await client.shutdown()
                        // Nothing else happened on this replica: remove it so init can simply be run again.
                        for suffix in ["", "-wal", "-shm"] {
                            try? FileManager.default.removeItem(atPath: path + suffix)
                        }
                        try? FileManager.default.removeItem(
                            atPath: replica.keyPath ?? KeyFile.defaultPath(forDatabase: path))
                        throw error
                    }
                }
            }
            if json {
                try Output.json(
                    NodeInitDocument(
                        replica: created.info.id.value, name: nodeName, scope: prefix.value,
                        publicKey: created.info.publicKey, hub: enrollment?.hub.value, registered: hub != nil))
            } else {
                print(created.info.id.value)
                print(
                    L(
                        "node.created",
                        [
                            "name": nodeName, "scope": prefix.value,
                            "level": valueName(prefix.level.rawValue, field: "level"), "path": created.path,
                        ]))
                if enrollment != nil {
                    print(
                        hub.map { L("node.registered", ["hub": $0]) } ?? L("node.enrolled_for_files"))
                }
            }
        }
    }
}

struct NodeSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: L("cmd.node.sync.abstract"),
        discussion: L("cmd.node.sync.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.node.sync.hub")) var hub: String?
    @Option(help: .text("opt.node.sync.ca")) var ca: String?
    @Option(
        help: .text("opt.node.sync.log_level"))
    var logLevel: String?
    @Flag(help: .text("opt.node.sync.snapshot")) var snapshot = false
    @Flag(help: .text("opt.node.sync.replay")) var replay = false
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            var logger = SyncClient.silent
            if let logLevel {
                guard let level = Logger.Level(rawValue: logLevel) else {
                    throw CLIError.usage(L("error.log_level"))
                }
                logger = Logger(label: "hearth.client", factory: { StreamLogHandler.standardError(label: $0) })
                logger.logLevel = level
            }
            if snapshot && replay { throw CLIError.usage(L("error.snapshot_or_replay")) }
            let node = try replica.openNode()
            if let hub {
                guard SyncClient.isAcceptable(hub) else {
                    throw CLIError.usage(L("error.https"))
                }
            }
            let state = try node.syncState()
            guard state.hubKey != nil else { throw SyncError.notEnrolled }
            // A new --hub is remembered only once a sync through it succeeds: a mistyped address
            // must not replace the one that works.
            guard let url = hub ?? state.hubURL else { throw SyncError.noHubURL }
            let client = try SyncClient(
                replica: node, baseURL: url, caFile: ca, logger: logger, clock: { nowMillis() })
            let line = ProgressLine(quiet: json)
            let start = Date()
            do {
                // A node that has pulled nothing yet starts from the snapshot unless told to replay.
                let summary = try await client.sync(snapshot: !replay) { progress in
                    switch progress {
                    case .pushed(let ops, let bytes): line.update(L("sync.pushed", ["ops": ops, "bytes": bytes]))
                    case .pulled(let ops, let bytes): line.update(L("sync.pulled", ["ops": ops, "bytes": bytes]))
                    case .snapshot(let records, let bytes):
                        line.update(L("sync.snapshot", ["records": records, "bytes": bytes]))
                    }
                }
                line.finish()
                await client.shutdown()
                if let hub, hub != state.hubURL { try node.setHubURL(hub) }
                // What the hub holds, older than the county's retention, leaves the log (one batch).
                let compacted = try node.compactLog(nowMillis: nowMillis())
                let seconds = Date().timeIntervalSince(start)
                if json {
                    try Output.json(
                        NodeSyncDocument(
                            summary, seconds: seconds, compacted: compacted.removed, purged: compacted.purged))
                } else {
                    if let records = summary.snapshotRecords {
                        print(L("sync.snapshot_done", ["records": records]))
                    }
                    print(
                        L(
                            "sync.done",
                            [
                                "url": url, "pushed": summary.pushedOps, "pulled": summary.pulledOps,
                                "applied": summary.applied, "waiting": summary.waiting,
                                "quarantined": summary.quarantined.count, "seconds": String(format: "%.1f", seconds),
                            ]))
                    for note in summary.quarantined {
                        print("  " + L("sync.refused", ["dot": note.dot, "reason": note.reason]))
                    }
                    if summary.enteredRecords > 0 {
                        print(L("sync.entered", ["records": summary.enteredRecords]))
                    }
                    if compacted.removed > 0 { print(L("sync.compacted", ["removed": compacted.removed])) }
                    if compacted.purged > 0 { print(L("sync.purged", ["records": compacted.purged])) }
                }
            } catch {
                line.finish()
                await client.shutdown()
                throw error
            }
        }
    }
}

struct NodeExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: L("cmd.node.export.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.node.export.out")) var out: String

    func run() throws {
        try guarded {
            let summary = try NodeBundles.export(try replica.openNode(), to: out)
            print(out)
            print(
                L("bundle.exported", ["ops": summary.ops, "bytes": summary.bytes])
                    + (summary.remaining ? L("bundle.more_remain") : ""))
        }
    }
}

struct NodeImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: L("cmd.node.import.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.node.import.file")) var file: String

    func run() throws {
        try guarded {
            let summary = try NodeBundles.import(try replica.openNode(), from: file, nowMillis: nowMillis())
            if let records = summary.snapshotRecords { print(L("sync.snapshot_done", ["records": records])) }
            print(
                L(
                    "bundle.imported",
                    [
                        "ops": summary.ops, "applied": summary.applied, "waiting": summary.waiting,
                        "cursor": summary.cursor,
                    ]))
        }
    }
}

struct NodeReidentify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reidentify",
        abstract: L("cmd.node.reidentify.abstract"),
        discussion: L("cmd.node.reidentify.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var enrollmentToken: TokenOptions
    @Option(help: .text("opt.node.reidentify.hub")) var hub: String?
    @Option(help: .text("opt.node.sync.ca")) var ca: String?

    func run() async throws {
        try await guardedAsync {
            guard let token = try enrollmentToken.text() else {
                throw CLIError.usage(L("error.give_token"))
            }
            let parsed = try EnrollmentToken(text: token)
            let before = try replica.openNode()
            let state = try before.syncState()
            guard state.hubReplica == nil || state.hubReplica == parsed.hub else {
                throw InputError(field: "token", "input.token_other_hub")
            }
            guard parsed.scope == before.info.scope.value else {
                throw InputError(
                    field: "token", "input.token_scope_node", ["token": parsed.scope, "scope": before.info.scope.value])
            }
            let url = hub ?? state.hubURL
            let outcome = try Replica.reidentify(
                path: try replica.databasePath, keyPath: replica.keyPath, environment: replica.environment,
                nowMillis: nowMillis())
            let node = try replica.openNode()
            try node.setHub(
                replica: parsed.hub, key: parsed.hubKey, url: url,
                pendingRegistration: parsed.secret + "\n" + parsed.name)
            print(outcome.newID.value)
            print(
                L(
                    "node.reidentified",
                    ["old": outcome.oldID, "new": outcome.newID, "count": outcome.reissued]))
            for (old, new) in outcome.renamed.sorted(by: { $0.key < $1.key }) {
                print("  " + L("node.renamed", ["old": old, "new": new]))
            }
            if let url {
                let client = try SyncClient(replica: node, baseURL: url, caFile: ca, clock: { nowMillis() })
                do {
                    _ = try await client.register(secret: parsed.secret, name: parsed.name)
                    await client.shutdown()
                    try node.clearPendingRegistration()
                    print(L("node.registered_as", ["name": parsed.name]))
                } catch {
                    await client.shutdown()
                    print(L("node.not_registered", ["reason": "\(error)"]))
                }
            } else {
                print(L("node.export_registers"))
            }
        }
    }
}

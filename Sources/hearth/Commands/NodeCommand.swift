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
        commandName: "node", abstract: "A village or township node: create it, sync it, move bundles by file.",
        subcommands: [NodeInit.self, NodeSync.self, NodeExport.self, NodeImport.self, NodeReidentify.self])
}

struct NodeInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new node replica: a new replica id, a new Ed25519 key pair and the node's scope.",
        discussion: """
            The database is created at --db and the key file beside it (<db>.key, mode 0600) unless --key-file says
            elsewhere. An existing database or key file is never overwritten.
            With a token (printed by `hearth hub enroll`) the node joins the county: it takes the county data key and
            the hub's identity from the token; with --hub URL it registers at once, without --hub its first bundle
            (`hearth node export`) carries the registration. Without a token the node stands alone.
            Give the token with --token-file PATH (or --token-file - to paste it on standard input): a --token on the
            command line can be read by every user of the machine (ps) and stays in the shell's history.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "A name for this node (defaults to the token's).") var name: String?
    @Option(help: "The division-code prefix this node serves: 9 digits for a township, 12 for a village.")
    var scope: String?
    @OptionGroup var enrollmentToken: TokenOptions
    @Option(help: "The hub's address, e.g. https://hub.example:8443.") var hub: String?
    @Option(help: "PEM file of the county's own CA, to check the hub's certificate.") var ca: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await guardedAsync {
            let path = try replica.databasePath
            var keys = KeyMaterial.generate()
            var enrollment: EnrollmentToken?
            if let token = try enrollmentToken.text() {
                let parsed = try EnrollmentToken(text: token)
                guard let dataKey = Data(base64Encoded: parsed.dataKey), dataKey.count == 32 else {
                    throw InputError(field: "token", reason: "the token's county key is damaged; ask for a new token")
                }
                keys = KeyMaterial(dataKey: SymmetricKey(data: dataKey), signingKey: Curve25519.Signing.PrivateKey())
                enrollment = parsed
            } else if hub != nil {
                throw CLIError.usage(
                    "--hub needs --token-file or --token (print one on the hub with `hearth hub enroll`)")
            }
            guard let scopeText = scope ?? enrollment?.scope else {
                throw CLIError.usage("give --scope (or a token, which names the scope)")
            }
            let prefix = try ScopePrefix.parse(scopeText, field: "scope")
            guard prefix.level != .county else {
                throw InputError(field: "scope", reason: "a node serves a township (9 digits) or a village (12 digits)")
            }
            if let enrollment, enrollment.scope != prefix.value {
                throw InputError(
                    field: "scope", reason: "the token enrolls scope \(enrollment.scope), not \(prefix.value)")
            }
            guard let nodeName = name ?? enrollment?.name else { throw CLIError.usage("give --name") }
            if let hub, !SyncClient.isAcceptable(hub) {
                throw CLIError.usage(
                    "the hub must be reached over https:// (plain http:// only to this machine, for tests)")
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
                            throw CLIError.failed("the hub at \(hub) is not the one that issued this token")
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
                    "node \(nodeName) created: scope \(prefix.value) (\(prefix.level.rawValue)), database \(created.path)"
                )
                if enrollment != nil {
                    print(
                        hub != nil
                            ? "registered with the hub at \(hub!)"
                            : "enrolled for file sync: `hearth node export` carries the registration")
                }
            }
        }
    }
}

struct NodeSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push this node's changes to the hub and pull the hub's for this node's scope.",
        discussion: "Safe to interrupt at any moment and run again: every batch commits whole or not at all.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The hub's address (remembered for next time once a sync through it succeeds).") var hub: String?
    @Option(help: "PEM file of the county's own CA.") var ca: String?
    @Option(
        help:
            "Log the sync to stderr at this level and above: trace, debug (each exchange), info, notice, warning, error."
    )
    var logLevel: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            var logger = SyncClient.silent
            if let logLevel {
                guard let level = Logger.Level(rawValue: logLevel) else {
                    throw CLIError.usage("--log-level must be trace, debug, info, notice, warning or error")
                }
                logger = Logger(label: "hearth.client", factory: { StreamLogHandler.standardError(label: $0) })
                logger.logLevel = level
            }
            let node = try replica.openNode()
            if let hub {
                guard SyncClient.isAcceptable(hub) else {
                    throw CLIError.usage("the hub must be reached over https:// (plain http:// only to this machine)")
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
                let summary = try await client.sync { progress in
                    switch progress {
                    case .pushed(let ops, let bytes): line.update("pushed \(ops) ops (\(bytes) bytes)")
                    case .pulled(let ops, let bytes): line.update("pulled \(ops) ops (\(bytes) bytes)")
                    }
                }
                line.finish()
                await client.shutdown()
                if let hub, hub != state.hubURL { try node.setHubURL(hub) }
                let seconds = Date().timeIntervalSince(start)
                if json {
                    try Output.json(NodeSyncDocument(summary, seconds: seconds))
                } else {
                    print(
                        String(
                            format:
                                "synced with %@: pushed %d ops, pulled %d ops (%d applied, %d waiting), %d quarantined, %.1f s",
                            url, summary.pushedOps, summary.pulledOps, summary.applied, summary.waiting,
                            summary.quarantined.count, seconds))
                    for note in summary.quarantined { print("  refused by the hub: \(note.dot): \(note.reason)") }
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
        commandName: "export", abstract: "Write this node's unsynced changes to a bundle file for the hub (USB stick).")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The bundle file to write (must not exist).") var out: String

    func run() throws {
        try guarded {
            let summary = try NodeBundles.export(try replica.openNode(), to: out)
            print(out)
            print(
                "\(summary.ops) ops, \(summary.bytes) bytes\(summary.remaining ? "; more remain: export again after the hub imports this one" : "")"
            )
        }
    }
}

struct NodeImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Apply a bundle file the hub wrote for this node.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The bundle file from `hearth hub export`.") var file: String

    func run() throws {
        try guarded {
            let summary = try NodeBundles.import(try replica.openNode(), from: file, nowMillis: nowMillis())
            print(
                "imported \(summary.ops) ops: \(summary.applied) applied, \(summary.waiting) waiting; cursor \(summary.cursor)"
            )
        }
    }
}

struct NodeReidentify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reidentify",
        abstract: "Give a copied, restored or forked replica a new identity, so it can sync again.",
        discussion: """
            The hub refuses a replica whose ops clash with ops it already holds under the same ids (a copied or
            restored database). This makes a new replica id and key; changes the hub never acknowledged are made again
            under the new id (nothing entered is lost; records they created get new ids, printed here). Ask the county
            for a new enrollment token (`hearth hub enroll` with a new name) and give it with --token-file PATH (or -
            for standard input; a --token on the command line is visible to other users in ps).
            """)
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var enrollmentToken: TokenOptions
    @Option(help: "The hub's address, to register at once.") var hub: String?
    @Option(help: "PEM file of the county's own CA.") var ca: String?

    func run() async throws {
        try await guardedAsync {
            guard let token = try enrollmentToken.text() else {
                throw CLIError.usage("give the new enrollment token with --token-file PATH (or --token)")
            }
            let parsed = try EnrollmentToken(text: token)
            let before = try replica.openNode()
            let state = try before.syncState()
            guard state.hubReplica == nil || state.hubReplica == parsed.hub else {
                throw InputError(field: "token", reason: "the token is from another hub than this node's")
            }
            guard parsed.scope == before.info.scope.value else {
                throw InputError(
                    field: "token",
                    reason: "the token enrolls scope \(parsed.scope), this node serves \(before.info.scope.value)")
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
                "replica \(outcome.oldID) is now \(outcome.newID); \(outcome.reissued) unsynced change(s) made again under the new id"
            )
            for (old, new) in outcome.renamed.sorted(by: { $0.key < $1.key }) { print("  \(old) is now \(new)") }
            if let url {
                let client = try SyncClient(replica: node, baseURL: url, caFile: ca, clock: { nowMillis() })
                do {
                    _ = try await client.register(secret: parsed.secret, name: parsed.name)
                    await client.shutdown()
                    try node.clearPendingRegistration()
                    print("registered with the hub as \(parsed.name); run `hearth node sync`")
                } catch {
                    await client.shutdown()
                    print("not registered yet (\(error)); `hearth node sync` will register first")
                }
            } else {
                print("the next `hearth node export` carries the new registration")
            }
        }
    }
}

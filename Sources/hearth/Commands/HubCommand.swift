import ArgumentParser
import Foundation
import HearthClient
import HearthCore
import HearthDesk
import HearthHub
import HearthProtocol
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import Logging

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "The county hub: enroll nodes, serve sync, exchange bundles.",
        subcommands: [
            HubInit.self, HubEnroll.self, HubNodes.self, HubRevoke.self, HubServe.self, HubImport.self, HubExport.self,
            HubQuarantine.self, HubConflicts.self, HubAudit.self, HubPayroll.self, HubReport.self, HubGenerate.self,
            HubStandard.self, HubSetting.self, HubDivision.self, HubLeads.self, HubRecovery.self, HubImportRoster.self,
            HubCrosscheck.self, HubUser.self,
        ])
}

struct HubInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create the county hub's replica and the county data key.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "A name for the hub, e.g. the county's.") var name: String
    @Option(help: "The county's 6-digit division code.") var scope: String

    func run() throws {
        try guarded {
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            guard prefix.level == .county else {
                throw InputError(field: "scope", reason: "a hub serves a county: 6 digits")
            }
            let created = try HubLedger.create(
                path: try replica.databasePath, keyPath: replica.keyPath, name: name, scope: prefix,
                nowMillis: nowMillis())
            print(created.info.id.value)
            print(
                "hub \(name) created for county \(prefix.value); key file \(replica.keyPath ?? created.path + ".key") (keep it safe)"
            )
        }
    }
}

struct HubEnroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Print a one-time enrollment token for a new node (a secret: hand it over like a password).")
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "The node's name (unique in the county).") var name: String
    @Option(help: "The node's scope: 9 digits for a township, 12 for a village.") var scope: String

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            let secret = try await hub.createEnrollment(name: name, scope: prefix, nowMillis: nowMillis())
            let token = EnrollmentToken(
                hub: hub.info.id, hubKey: hub.info.publicKey, name: name, scope: prefix.value, secret: secret,
                dataKey: hub.keys.dataKey.withUnsafeBytes { Data($0) }.base64EncodedString())
            print(token.text)
        }
    }
}

struct HubNodes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "List nodes with their last sync and lag.")
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let end = try await hub.logEnd()
            let nodes = try await hub.nodes()
            if json {
                try Output.json(nodes.map { NodeListing($0, logEnd: end) })
                return
            }
            if nodes.isEmpty {
                print("(no nodes: enroll one with `hearth hub enroll --name NAME --scope PREFIX`)")
                return
            }
            Output.table(
                ["name", "scope", "replica", "last sync", "lag (log entries)", "skew", "state"],
                nodes.map { node in
                    [
                        node.name, node.scope.value, node.replica.value,
                        node.lastSyncMillis.map(Output.time) ?? "never",
                        String(max(0, end - node.pullCursor)),
                        node.skewMillis.map { abs($0) > 300_000 ? "\($0 / 1000) s (over 5 min)" : "\($0 / 1000) s" }
                            ?? "",
                        node.revokedMillis != nil ? "revoked" : node.forkedMillis != nil ? "forked" : "active",
                    ]
                })
        }
    }
}

struct HubRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a node: it gets nothing more.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The node's name.") var name: String

    func run() async throws {
        try await guardedAsync {
            try await replica.open().revoke(name: name, nowMillis: nowMillis())
            print(name)
        }
    }
}

struct HubServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the sync API. Stops cleanly on SIGINT or SIGTERM.",
        discussion: """
            With --tls-cert and --tls-key the hub serves HTTPS; nodes check its certificate (give them --ca for a
            county's own CA). Without them it serves plain HTTP, which is for loopback and tests only.
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one and prints it).") var port: Int
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key.") var tlsKey: String?
    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds a connection may sit idle (no request being read or answered) before the hub closes it.")
    var idleTimeout: Double = 30
    @Option(
        name: .customLong("max-connections"),
        help: "Most connections open at once; one accepted past this is closed at once, and the node tries again.")
    var maxConnections: Int = ConnectionLimits.standard.maxConnections
    @Option(
        name: .customLong("desk-idle-minutes"),
        help: "Minutes a desk session (/desk in a browser) may sit unused before it ends.")
    var deskIdleMinutes: Int = 30

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
            guard (tlsCert == nil) == (tlsKey == nil) else {
                throw CLIError.usage("give both --tls-cert and --tls-key")
            }
            guard idleTimeout.isFinite, idleTimeout > 0, idleTimeout <= 86_400 else {
                throw CLIError.usage("--idle-timeout must be more than 0 and at most 86400 seconds")
            }
            guard maxConnections > 0 else { throw CLIError.usage("--max-connections must be at least 1") }
            guard deskIdleMinutes >= 1, deskIdleMinutes <= 24 * 60 else {
                throw CLIError.usage("--desk-idle-minutes must be 1 to 1440")
            }
            var desk = DeskConfiguration.standard
            desk.idleMillis = Int64(deskIdleMinutes) * 60_000
            let limits = ConnectionLimits(
                idleTimeout: .milliseconds(Int64((idleTimeout * 1000).rounded(.up))), maxConnections: maxConnections)
            // Logs go to stderr: stdout carries the "serving" line that scripts wait for, and
            // nothing reads it after that line.
            var logger = Logger(label: "hearth.hub", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .info
            let service = HubService(ledger: hub, logger: logger, clock: { nowMillis() }, desk: desk)
            let scheme = tlsCert == nil ? "http" : "https"
            if tlsCert == nil {
                guard loopback else {
                    throw CLIError.usage(
                        "plain HTTP is for loopback only: give --tls-cert and --tls-key to serve \(host)")
                }
                printError("serving plain HTTP on loopback: for tests and demos only; nodes elsewhere need TLS")
            }
            try await service.serve(
                host: host, port: port, tlsCertificate: tlsCert, tlsKey: tlsKey, limits: limits, stopOnSignals: true
            ) { bound in
                // Written unbuffered: scripts and tests wait for this line to learn the port.
                let name = ScreenText.escaped(hub.info.name)
                FileHandle.standardOutput.write(Data("hub \(name) serving \(scheme)://\(host):\(bound)\n".utf8))
            }
            print("hub stopped")
        }
    }
}

struct HubImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a node's bundle file.")
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: "The bundle file written by `hearth node export`.") var file: String
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let service = HubService(ledger: hub, logger: Logger(label: "hearth.hub"), clock: { nowMillis() })
            let summary = try await service.importBundle(try BundleFile.read(file))
            if json {
                try Output.json(BundleImportDocument(summary))
            } else {
                print(
                    "imported \(summary.ops) ops from \(summary.node)\(summary.registered ? " (node registered)" : ""): "
                        + "\(summary.applied) applied, \(summary.duplicates) already held, \(summary.quarantined.count) quarantined"
                )
                for note in summary.quarantined { print("  quarantined \(note.dot): \(note.reason)") }
            }
        }
    }
}

struct HubExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the hub's news for one node to a bundle file.")
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "The node's name.") var node: String
    @Option(help: "The bundle file to write (must not exist).") var out: String

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let service = HubService(ledger: hub, logger: Logger(label: "hearth.hub"), clock: { nowMillis() })
            let (bytes, ops) = try await service.exportBundle(forNode: node)
            try BundleFile.write(bytes, to: out)
            print(out)
            print("\(ops) ops for \(node), \(bytes.count) bytes")
        }
    }
}

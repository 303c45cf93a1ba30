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
        commandName: "hub", abstract: L("cmd.hub.abstract"),
        subcommands: [
            HubInit.self, HubEnroll.self, HubNodes.self, HubRevoke.self, HubServe.self, HubImport.self, HubExport.self,
            HubQuarantine.self, HubConflicts.self, HubAudit.self, HubPayroll.self, HubReport.self, HubGenerate.self,
            HubStandard.self, HubSetting.self, HubDivision.self, HubLeads.self, HubRecovery.self, HubImportRoster.self,
            HubCrosscheck.self, HubUser.self, HubBackupCommand.self, HubRestoreCommand.self, HubMigrateCommand.self,
            HubCompact.self, HubVerify.self,
        ])
}

struct HubInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: L("cmd.hub.init.abstract"), discussion: L("cmd.hub.init.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Option(name: .long, help: .text("opt.store")) var store: String?
    @Option(help: .text("opt.hub.init.name")) var name: String
    @Option(help: .text("opt.hub.init.scope")) var scope: String

    func run() async throws {
        try await guardedAsync {
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            guard prefix.level == .county else {
                throw InputError(field: "scope", "input.hub_scope")
            }
            let created: HubLedger
            let key: String
            switch try HubStore.resolve(store: store, options: replica) {
            case .sqlite(let path):
                created = try HubLedger.create(
                    path: path, keyPath: replica.keyPath, name: name, scope: prefix, nowMillis: nowMillis())
                key = replica.keyPath ?? path + ".key"
            case .postgres(let location):
                guard let keyPath = replica.keyPath, !keyPath.isEmpty else {
                    throw CLIError.usage(L("error.store_key_file"))
                }
                created = try await HubLedger.create(
                    postgres: location, keyPath: keyPath, name: name, scope: prefix, nowMillis: nowMillis())
                key = keyPath
            }
            print(created.info.id.value)
            print(L("hub.created", ["name": name, "scope": prefix.value, "key": key]))
        }
    }
}

struct HubEnroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: L("cmd.hub.enroll.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.enroll.name")) var name: String
    @Option(help: .text("opt.hub.enroll.scope")) var scope: String

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
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
        commandName: "nodes", abstract: L("cmd.hub.nodes.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let log = try await hub.logExtent()
            let nodes = try await hub.nodes()
            if json {
                try Output.json(nodes.map { NodeListing($0, log: log) })
                return
            }
            if nodes.isEmpty {
                print(L("hub.no_nodes"))
                return
            }
            Output.table(
                [
                    L("nodes.name"), L("nodes.scope"), L("nodes.replica"), L("nodes.last_sync"), L("nodes.lag"),
                    L("nodes.skew"), L("nodes.state"),
                ],
                nodes.map { node in
                    [
                        node.name, node.scope.value, node.replica.value,
                        node.lastSyncMillis.map(Output.time) ?? L("nodes.never"),
                        String(log.lag(from: node.pullCursor)),
                        node.skewMillis.map {
                            L(abs($0) > 300_000 ? "nodes.skew_over" : "nodes.skew_seconds", ["seconds": $0 / 1000])
                        }
                            ?? "",
                        L(
                            node.revokedMillis != nil
                                ? "nodes.revoked" : node.forkedMillis != nil ? "nodes.forked" : "nodes.active"),
                    ]
                })
        }
    }
}

struct HubRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: L("cmd.hub.revoke.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.node_name")) var name: String

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
        abstract: L("cmd.hub.serve.abstract"),
        discussion: L("cmd.hub.serve.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.serve.host")) var host = "127.0.0.1"
    @Option(help: .text("opt.hub.serve.port")) var port: Int
    @Option(name: .customLong("tls-cert"), help: .text("opt.hub.serve.tls_cert")) var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: .text("opt.hub.serve.tls_key")) var tlsKey: String?
    @Option(
        name: .customLong("idle-timeout"),
        help: .text("opt.hub.serve.idle_timeout"))
    var idleTimeout: Double = 30
    @Option(
        name: .customLong("max-connections"),
        help: .text("opt.hub.serve.max_connections"))
    var maxConnections: Int = ConnectionLimits.standard.maxConnections
    @Option(
        name: .customLong("desk-idle-minutes"),
        help: .text("opt.hub.serve.desk_idle_minutes"))
    var deskIdleMinutes: Int = 30

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
            guard (tlsCert == nil) == (tlsKey == nil) else {
                throw CLIError.usage(L("error.hub.serve.tls_pair"))
            }
            guard idleTimeout.isFinite, idleTimeout > 0, idleTimeout <= 86_400 else {
                throw CLIError.usage(L("error.hub.serve.idle_timeout"))
            }
            guard maxConnections > 0 else { throw CLIError.usage(L("error.hub.serve.max_connections")) }
            guard deskIdleMinutes >= 1, deskIdleMinutes <= 24 * 60 else {
                throw CLIError.usage(L("error.hub.serve.desk_idle_minutes"))
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
            logger.info(
                "hub starting",
                metadata: [
                    "version": "\(HearthVersion.text)", "store": "\(hub.store)", "hub": "\(hub.info.id)",
                    "writer": "\(hub.info.writer)",
                ])
            let scheme = tlsCert == nil ? "http" : "https"
            if tlsCert == nil {
                guard loopback else {
                    throw CLIError.usage(L("error.hub.serve.plain_http", ["host": host]))
                }
                printError(L("hub.plain_http"))
            }
            try await service.serve(
                host: host, port: port, tlsCertificate: tlsCert, tlsKey: tlsKey, limits: limits, stopOnSignals: true
            ) { bound in
                // Written unbuffered: scripts and tests wait for this line to learn the port.
                let name = ScreenText.escaped(hub.info.name)
                let line = L("hub.serving", ["name": name, "url": "\(scheme)://\(host):\(bound)"])
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            print(L("hub.stopped"))
        }
    }
}

struct HubImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: L("cmd.hub.import.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Argument(help: .text("arg.hub.import.file")) var file: String
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let service = HubService(ledger: hub, logger: Logger(label: "hearth.hub"), clock: { nowMillis() })
            let summary = try await service.importBundle(try BundleFile.read(file))
            if json {
                try Output.json(BundleImportDocument(summary))
            } else {
                print(
                    L(
                        "hub.imported",
                        [
                            "ops": summary.ops, "node": summary.node,
                            "registered": summary.registered ? L("hub.node_registered") : "",
                            "applied": summary.applied, "duplicates": summary.duplicates,
                            "quarantined": summary.quarantined.count,
                        ]))
                for note in summary.quarantined {
                    print("  " + L("hub.quarantined_note", ["dot": note.dot, "reason": note.reason]))
                }
            }
        }
    }
}

struct HubExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: L("cmd.hub.export.abstract"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.export.node")) var node: String
    @Option(help: .text("opt.node.export.out")) var out: String

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let service = HubService(ledger: hub, logger: Logger(label: "hearth.hub"), clock: { nowMillis() })
            let (bytes, ops, records) = try await service.exportBundle(forNode: node)
            try BundleFile.write(bytes, to: out)
            print(out)
            if let records {
                print(L("hub.exported_snapshot", ["records": records, "ops": ops, "node": node, "bytes": bytes.count]))
            } else {
                print(L("hub.exported", ["ops": ops, "node": node, "bytes": bytes.count]))
            }
        }
    }
}

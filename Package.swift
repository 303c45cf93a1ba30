// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearth", targets: ["hearth"]),
        .library(name: "HearthText", targets: ["HearthText"]),
        .library(name: "HearthCore", targets: ["HearthCore"]),
        .library(name: "HearthStore", targets: ["HearthStore"]),
        .library(name: "HearthProtocol", targets: ["HearthProtocol"]),
        .library(name: "HearthLedger", targets: ["HearthLedger"]),
        .library(name: "HearthLedgerSQLite", targets: ["HearthLedgerSQLite"]),
        .library(name: "HearthLedgerPostgres", targets: ["HearthLedgerPostgres"]),
        .library(name: "HearthDesk", targets: ["HearthDesk"]),
        .library(name: "HearthHub", targets: ["HearthHub"]),
        .library(name: "HearthClient", targets: ["HearthClient"]),
        .library(name: "HearthSim", targets: ["HearthSim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The desk's passwords (bcrypt) and its server-rendered pages.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        // Another zip reader and writer, for the tests: Hearth's own workbooks checked against it,
        // and damaged or hostile ones built with it.
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // The hub's storage on a PostgreSQL server, where a hub outgrows one file.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Every word said to a person, in a catalogue per language (zh, en), and the process's
        // language: below everything, so an error anywhere can be put into the reader's words.
        .target(name: "HearthText"),
        // Records, ops, clocks, version vectors, merge and the policy table: pure values, no I/O.
        .target(
            name: "HearthCore",
            dependencies: ["HearthText", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // SQLite's process-wide settings, made in C (`sqlite3_config` takes varargs, which Swift
        // cannot call) before the process's first connection.
        .target(name: "HearthSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The replica on SQLite through GRDB: schema, op log, apply engine, sealed fields, hub bookkeeping.
        .target(
            name: "HearthStore",
            dependencies: [
                "HearthCore", "HearthText", "HearthSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Sync messages, chain and request signatures, bundles: the wire format, no I/O.
        .target(
            name: "HearthProtocol",
            dependencies: [
                "HearthCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The county hub's ledger: push and pull admission, nodes and tokens, quarantine, the
        // desk, rule cases, rolls, reports, imports and cross-checks. Only a hub database opens as
        // one, so a hub operation on a village's replica does not compile. No GRDB: the ledger
        // reaches its database through LedgerStorage only.
        .target(
            name: "HearthLedger",
            dependencies: [
                "HearthCore", "HearthStore", "HearthText",
                .product(name: "Crypto", package: "swift-crypto"),
                // The parts of the workbooks it reads inflated, and of those it writes deflated, a
                // window at a time.
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The ledger's storage in one SQLite file through GRDB (the default): the hub's tables,
        // its role in every apply (the county's rules), the op log and scoped reads.
        .target(
            name: "HearthLedgerSQLite",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthText",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The ledger's storage on a PostgreSQL server through postgres-nio: the hub's tables, for
        // several hub processes on one database. No GRDB, no SQLite.
        .target(
            name: "HearthLedgerPostgres",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthText",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Developer tools apart from the production library: the merge bench and the county generator.
        .target(
            name: "HearthTools",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthText",
            ]
        ),
        // The county desk in the browser: accounts, sessions and pages under /desk, mounted by the
        // hub on its own router. No GRDB: accounts and sessions are kept through DeskStorage.
        .target(
            name: "HearthDesk",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // The threads bcrypt runs on, away from Swift's cooperative pool.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The county hub's HTTP service on Hummingbird 2.
        .target(
            name: "HearthHub",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthProtocol", "HearthDesk",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Counters, gauges and timers, exposed at /metrics by a registry the service owns.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The thread pool the handlers' database work runs on.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The node's sync client: HTTP and file bundles.
        .target(
            name: "HearthClient",
            dependencies: [
                "HearthCore", "HearthStore", "HearthProtocol", "HearthText",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The deterministic simulation: the production code over a faulty network it controls.
        .target(
            name: "HearthSim",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthProtocol", "HearthHub",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                "HearthClient",
            ]
        ),
        // The `hearth` command line, for nodes and the hub.
        .executableTarget(
            name: "hearth",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthLedgerPostgres",
                "HearthProtocol", "HearthHub",
                "HearthClient", "HearthSim", "HearthTools", "HearthDesk", "HearthText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // The bench's latency probe: HTTP on an event loop of its own.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The catalogues: both languages hold every key, and every key the code names.
        .testTarget(name: "HearthTextTests", dependencies: ["HearthText"]),
        .testTarget(name: "HearthCoreTests", dependencies: ["HearthCore", "HearthText"]),
        .testTarget(
            name: "HearthStoreTests",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthTools", "HearthTestSupport",
                // Zips built part by part: the .xlsx reader's damaged and hostile workbooks.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        // The temporary directories a test makes (removed when it ends), the programs it runs, and
        // its threads off the cooperative pool; shared by the test targets.
        .target(name: "HearthTestSupport", path: "Tests/HearthTestSupport"),
        // A real PostgreSQL server for the tests (initdb and pg_ctl in a temporary directory), shared
        // by the ledger's conformance suite and the CLI's tests of hubs kept in PostgreSQL.
        .target(
            name: "HearthTestPostgres",
            dependencies: [
                "HearthCore", "HearthLedgerPostgres", "HearthTestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/HearthTestPostgres"),
        // The ledger storage's conformance suite, run once per backend.
        .testTarget(
            name: "HearthLedgerTests",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthLedgerPostgres",
                "HearthTestPostgres", "HearthTestSupport",
                // Statements of the tests' own on the PostgreSQL store (the log head's race), and
                // the thread pool the tests' PostgreSQL server programs are waited for on.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // A real hub's SQLite file read directly, to compare its schema and triggers with
                // PostgreSQL's.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        // HearthStore for real county keys: the wire derives sealed values' hmacs with them.
        .testTarget(name: "HearthProtocolTests", dependencies: ["HearthCore", "HearthProtocol", "HearthStore"]),
        .testTarget(
            name: "HearthSyncTests",
            dependencies: [
                "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthProtocol", "HearthHub",
                "HearthClient",
                // The hub kept in PostgreSQL, on a server the tests start.
                "HearthLedgerPostgres", "HearthTestPostgres", "HearthTestSupport",
                // Holding the hub's write lock from a second connection, and raw sockets to the hub.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // Capturing what the hub and the client log.
                .product(name: "Logging", package: "swift-log"),
                // The hub's router driven in memory.
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The desk in the browser, driven over HTTP as a browser would (cookies, forms).
                "HearthDesk",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .testTarget(
            name: "HearthCLITests",
            dependencies: [
                "hearth", "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite", "HearthText",
                // Hubs kept in PostgreSQL, on a server the tests start.
                "HearthLedgerPostgres", "HearthTestPostgres", "HearthTestSupport",
                // The errors the CLI maps to exit statuses.
                "HearthProtocol", "HearthHub", "HearthClient", "HearthDesk",
                // Reading which tables a database holds.
                .product(name: "GRDB", package: "GRDB.swift"),
                // Inflating the pixels of a PNG headless Chromium rendered of a page to print.
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        // The desk's pieces without a hub: its label catalogues, passwords, tokens.
        .testTarget(
            name: "HearthDeskTests", dependencies: ["HearthDesk", "HearthCore", "HearthLedger", "HearthStore"]),
        .testTarget(
            name: "HearthSimTests",
            dependencies: ["HearthSim", "HearthCore", "HearthStore", "HearthLedger", "HearthLedgerSQLite"]),
    ],
    swiftLanguageModes: [.v6]
)

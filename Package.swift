// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Hearth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hearth", targets: ["hearth"]),
        .library(name: "HearthCore", targets: ["HearthCore"]),
        .library(name: "HearthStore", targets: ["HearthStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Records, ops, clocks, version vectors, merge and the policy table: pure values, no I/O.
        .target(
            name: "HearthCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The replica on SQLite through GRDB: schema, op log, apply engine, sealed fields.
        .target(
            name: "HearthStore",
            dependencies: [
                "HearthCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The `hearth` command line, for nodes and the hub.
        .executableTarget(
            name: "hearth",
            dependencies: [
                "HearthCore",
                "HearthStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HearthCoreTests", dependencies: ["HearthCore"]),
        .testTarget(name: "HearthStoreTests", dependencies: ["HearthCore", "HearthStore"]),
        .testTarget(name: "HearthCLITests", dependencies: ["hearth", "HearthCore", "HearthStore"]),
    ],
    swiftLanguageModes: [.v6]
)

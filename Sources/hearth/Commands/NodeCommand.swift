import ArgumentParser
import HearthCore
import HearthStore

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Create and manage a village or township node's replica.",
        subcommands: [NodeInit.self])
}

struct NodeInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a new node replica: a new replica id, a new Ed25519 key pair and the node's scope.",
        discussion: """
            The database is created at --db and the key file beside it (<db>.key, mode 0600) unless --key-file says
            elsewhere. Keep the key file off shared drives: without it the ID and bank card numbers stay sealed.
            An existing database or key file is never overwritten.
            """)

    @OptionGroup var replica: ReplicaOptions

    @Option(help: "A name for this node, e.g. the village's name.")
    var name: String

    @Option(help: "The division-code prefix this node serves: 9 digits for a township, 12 for a village.")
    var scope: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        try guarded {
            let prefix = try ScopePrefix.parse(scope, field: "scope")
            guard prefix.level != .county else {
                throw InputError(field: "scope", reason: "a node serves a township (9 digits) or a village (12 digits)")
            }
            let created = try Replica.create(
                path: try replica.databasePath, keyPath: replica.keyPath, name: name, scope: prefix, role: .node,
                nowMillis: nowMillis())
            if json {
                Output.json(.object([
                    "replica": .string(created.info.id.value), "name": .string(name), "scope": .string(prefix.value),
                    "public_key": .string(created.info.publicKey),
                ]))
            } else {
                print(created.info.id.value)
                print("node \(name) created: scope \(prefix.value) (\(prefix.level.rawValue)), database \(created.path)")
            }
        }
    }
}

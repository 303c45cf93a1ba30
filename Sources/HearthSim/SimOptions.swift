/// What one simulation run does: its seed, how many node replicas, how long, which faults.
public struct SimOptions: Sendable {
    public var seed: UInt64
    /// Node replicas besides the hub (townships and villages, see ``SimTopology``).
    public var replicas: Int
    /// Steps with faults, before the network heals and everyone syncs.
    public var steps: Int
    public var faults: Bool
    /// Whether the operator backs the hub up and restores older copies of its file while the
    /// nodes sync (`hearth sim --no-restores` leaves it out, to replay a seed found before it).
    public var restores: Bool

    public init(seed: UInt64, replicas: Int = 5, steps: Int = 200, faults: Bool = true, restores: Bool = true) {
        self.seed = seed
        self.replicas = max(1, min(replicas, SimTopology.scopes.count))
        self.steps = steps
        self.faults = faults
        self.restores = restores
    }

    /// The one-line command that replays this run exactly.
    public var reproduceCommand: String {
        "swift run hearth sim --seeds 1 --start-seed \(seed) --replicas \(replicas) --steps \(steps)"
            + (restores ? "" : " --no-restores")
    }
}

/// What a run found: the trace hash (equal for equal seeds), counters of what happened, and
/// every invariant that did not hold.
public struct SimResult: Sendable {
    public let options: SimOptions
    public let traceHash: String
    public let counters: [String: Int]
    public let failures: [String]

    public var passed: Bool { failures.isEmpty }
}

/// Where the simulated county's nodes sit: townships 101 and 102 of county 421281, and
/// villages below them; two nodes may serve one village (two field workers).
public enum SimTopology {
    public static let county = "421281"
    public static let scopes = [
        "421281101", "421281101001", "421281101002", "421281102001", "421281102", "421281101001", "421281101003",
        "421281102002",
    ]
}

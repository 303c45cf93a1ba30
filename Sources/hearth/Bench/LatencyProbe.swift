import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Asks one unauthenticated endpoint of a running hub (`/healthz`, `/metrics`) over real HTTP,
/// again and again, and keeps how long each answer took: how responsive the hub stays while
/// it applies pushes.
///
/// The probe runs on an event loop of its own, never on Swift's cooperative threads, so the
/// bench's own node-side work (SQLite on those threads) does not lengthen what it measures.
final class LatencyProbe: Sendable {
    /// Latencies in seconds, and requests that failed or timed out (counted, not timed).
    struct Figures: Sendable {
        let samples: [Double]
        let failures: Int

        func percentile(_ fraction: Double) -> Double {
            guard !samples.isEmpty else { return 0 }
            let sorted = samples.sorted()
            let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.min(Swift.max(rank, 0), sorted.count - 1)]
        }

        var p50: Double { percentile(0.50) }
        var p99: Double { percentile(0.99) }
        var max: Double { samples.max() ?? 0 }
    }

    private let url: String
    private let pause: TimeAmount
    private let group: MultiThreadedEventLoopGroup
    private let client: HTTPClient
    private let state = Mutex((samples: [Double](), failures: 0, running: false))

    /// - Parameter pause: the wait after each answer before the next request.
    init(url: String, pause: TimeAmount = .milliseconds(20)) {
        self.url = url
        self.pause = pause
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }

    func start() {
        state.withLock { $0.running = true }
        next()
    }

    /// Stops probing and returns what was measured; the request in flight, if any, is not counted.
    func stop() async -> Figures {
        let figures = state.withLock { state in
            state.running = false
            return Figures(samples: state.samples, failures: state.failures)
        }
        try? await client.shutdown()
        try? await group.shutdownGracefully()
        return figures
    }

    private func next() {
        guard state.withLock({ $0.running }) else { return }
        let started = NIODeadline.now()
        let request: HTTPClient.Request
        do { request = try HTTPClient.Request(url: url) } catch {
            state.withLock { $0.failures += 1 }
            return
        }
        client.execute(request: request, deadline: .now() + .seconds(60)).whenComplete { result in
            let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
            let running = self.state.withLock { state -> Bool in
                guard state.running else { return false }
                if case .success(let response) = result, response.status == .ok {
                    state.samples.append(seconds)
                } else {
                    state.failures += 1
                }
                return true
            }
            guard running else { return }
            self.group.next().scheduleTask(in: self.pause) { self.next() }
        }
    }
}

import Foundation
import HearthHub
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Runs a hub's HTTP application in-process on loopback for the duration of `body`.
///
/// The port is learned from the server's own "running" callback (no sleeps, no polling);
/// the server task is a child of a task group and is cancelled and awaited before this
/// returns, so nothing keeps running after a test.
func withRunningHub<T>(
    _ makeApplication: (@escaping @Sendable (Int) async -> Void) throws -> some ApplicationProtocol,
    _ body: (_ url: String) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let application = try makeApplication { port in
        continuation.yield(port)
        continuation.finish()
    }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            // If the server fails before it runs, end the stream so the caller does not wait forever.
            defer { continuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server stopped before it ran: surface its error.
            try await group.next()
            throw TestFailure("the hub stopped before it served")
        }
        do {
            let result = try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// The hub as `hearth hub serve` runs it: `HubService.application` on 127.0.0.1, port 0.
func withRunningHub<T>(_ service: HubService, _ body: (_ url: String) async throws -> T) async throws -> T {
    try await withRunningHub(
        { onRunning in try service.application(host: "127.0.0.1", port: 0, onRunning: onRunning) }, body)
}

/// A request context that keeps the connection's channel, so a test can cut it.
struct ChannelContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Decides, request by request, whether the connection is cut after the hub has handled the
/// request (and committed what it did) but before the answer reaches the node: the worst
/// moment for a node, which never learns what the hub did.
final class CutPlan: Sendable {
    private let state: NIOLockedValueBox<(seen: [String: Int], cutAt: [String: Int], cuts: Int)>

    /// - Parameter cutAt: path → the ordinal (1-based) of the request on that path whose answer is lost.
    init(cutAt: [String: Int]) {
        state = NIOLockedValueBox((seen: [:], cutAt: cutAt, cuts: 0))
    }

    func shouldCut(path: String) -> Bool {
        state.withLockedValue { state in
            state.seen[path, default: 0] += 1
            guard state.cutAt[path] == state.seen[path] else { return false }
            state.cuts += 1
            return true
        }
    }

    var cuts: Int { state.withLockedValue { $0.cuts } }
    func requests(_ path: String) -> Int { state.withLockedValue { $0.seen[path] ?? 0 } }
}

struct ConnectionCut: Error {}

/// Wraps the hub's own router: the hub handles every request normally, then for the request
/// the plan names the connection is closed instead of answered.
struct CuttingResponder: HTTPResponder {
    typealias Context = ChannelContext
    let inner: RouterResponder<HubRequestContext>
    let plan: CutPlan

    func respond(to request: Request, context: ChannelContext) async throws -> Response {
        let hub = HubRequestContext(
            source: ApplicationRequestContextSource(channel: context.channel, logger: context.logger))
        let response = try await inner.respond(to: request, context: hub)
        if plan.shouldCut(path: request.uri.path) {
            try? await context.channel.close()
            throw ConnectionCut()
        }
        return response
    }
}

/// The hub's router behind a ``CuttingResponder``, on 127.0.0.1, port 0.
func withCuttingHub<T>(
    _ service: HubService, plan: CutPlan, _ body: (_ url: String) async throws -> T
) async throws -> T {
    try await withRunningHub(
        { onRunning in
            Application(
                responder: CuttingResponder(inner: service.router().buildResponder(), plan: plan),
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "hearth-hub-cutting"),
                onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
                logger: {
                    var logger = Logger(label: "hearth.test.cutting")
                    logger.logLevel = .critical
                    return logger
                }())
        }, body)
}

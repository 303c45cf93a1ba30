import Foundation
import HearthCore
import HearthProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP connection to a running hub made by hand, so a test can send a request's head without
/// its body, leave a connection idle, or watch for the hub closing it. Every wait has a
/// deadline: when it passes, the wait reports what it saw, and the test fails on that.
final class RawConnection: Sendable {
    let channel: any Channel
    private let collector: Collector

    /// Connects to `url`'s host and port (http only).
    static func open(_ url: String) async throws -> RawConnection {
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else {
            throw TestFailure("not an http URL with a port: \(url)")
        }
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: host, port: port).get()
        return RawConnection(channel: channel, collector: collector)
    }

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Waits until what was received holds a whole HTTP response, or the hub closed the
    /// connection, or `within` passed; returns what was received by then and whether the
    /// connection was closed.
    func response(within: TimeAmount) async throws -> (response: RawHTTPResponse?, closed: Bool) {
        let (bytes, closed) = try await collector.wait(on: channel.eventLoop, within: within) {
            RawHTTPResponse(parsing: $0) != nil
        }
        return (RawHTTPResponse(parsing: bytes), closed)
    }

    /// Waits until the hub closes the connection, or `within` passes; true when it closed.
    func closedByHub(within: TimeAmount) async throws -> Bool {
        try await collector.wait(on: channel.eventLoop, within: within) { _ in false }.closed
    }

    func close() async {
        try? await channel.close()
    }

    /// Gathers what the connection receives and wakes waiters, on the channel's event loop.
    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        struct Waiter {
            let done: @Sendable ([UInt8]) -> Bool
            let promise: EventLoopPromise<([UInt8], Bool)>
        }

        private let state = NIOLockedValueBox((bytes: [UInt8](), closed: false, waiters: [Waiter]()))

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let ready = state.withLockedValue { state -> [(Waiter, [UInt8])] in
                state.bytes += buffer.readBytes(length: buffer.readableBytes) ?? []
                let bytes = state.bytes
                let ready = state.waiters.filter { $0.done(bytes) }
                state.waiters.removeAll { waiter in
                    ready.contains { $0.promise.futureResult === waiter.promise.futureResult }
                }
                return ready.map { ($0, bytes) }
            }
            for (waiter, bytes) in ready { waiter.promise.succeed((bytes, false)) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            let (waiters, bytes) = state.withLockedValue { state in
                state.closed = true
                defer { state.waiters = [] }
                return (state.waiters, state.bytes)
            }
            for waiter in waiters { waiter.promise.succeed((bytes, true)) }
            context.fireChannelInactive()
        }

        func wait(
            on eventLoop: any EventLoop, within: TimeAmount, until done: @escaping @Sendable ([UInt8]) -> Bool
        ) async throws -> (bytes: [UInt8], closed: Bool) {
            let promise = eventLoop.makePromise(of: ([UInt8], Bool).self)
            let settled = state.withLockedValue { state -> ([UInt8], Bool)? in
                if state.closed || done(state.bytes) { return (state.bytes, state.closed) }
                state.waiters.append(Waiter(done: done, promise: promise))
                return nil
            }
            if let settled {
                promise.succeed(settled)
            } else {
                // The deadline: whatever was received by then is the answer.
                eventLoop.scheduleTask(in: within) {
                    let bytes = self.state.withLockedValue { state in
                        state.waiters.removeAll { $0.promise.futureResult === promise.futureResult }
                        return state.bytes
                    }
                    promise.succeed((bytes, false))
                }
            }
            let (bytes, closed) = try await promise.futureResult.get()
            return (bytes, closed)
        }
    }
}

/// An HTTP/1.1 response read off a raw connection: status, headers, and the whole body (by
/// its Content-Length).
struct RawHTTPResponse: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    init?(parsing bytes: [UInt8]) {
        let separator = Array("\r\n\r\n".utf8)
        guard bytes.count >= separator.count,
            let end = (0...(bytes.count - separator.count)).first(where: {
                bytes[$0..<$0 + separator.count].elementsEqual(separator)
            })
        else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + separator.count
        guard bytes.count >= bodyStart + length else { return nil }
        self.status = status
        self.headers = headers
        self.body = Array(bytes[bodyStart..<bodyStart + length])
    }

    /// The hub's ErrorBody (gzip JSON), if that is what the body is.
    var json: JSON? {
        let inflated = headers["content-encoding"] == "gzip" ? try? Gzip.decompress(body) : body
        return inflated.flatMap { try? JSON.parse($0) }
    }
}

extension SignedRequest {
    /// The request's head as HTTP/1.1 text, declaring `contentLength` (which may be more than
    /// the test then sends).
    func head(host: String, contentLength: Int) -> String {
        var lines = [
            "POST \(path) HTTP/1.1", "host: \(host)", "content-type: application/json",
            "content-length: \(contentLength)", "\(SyncHeader.replica): \(replica)",
            "\(SyncHeader.time): \(timeMillis)", "\(SyncHeader.nonce): \(nonce)",
            "\(SyncHeader.signature): \(signature)",
        ]
        if let contentEncoding { lines.append("content-encoding: \(contentEncoding)") }
        return lines.joined(separator: "\r\n") + "\r\n\r\n"
    }
}

import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

extension ResponseBody {
    /// The body's bytes, however it was given (a buffer, or a closure that writes it).
    ///
    /// The hub's answers are whole documents a few megabytes at most (WireLimits), built in
    /// memory before they are sent; compressing and signing them needs them whole anyway.
    func collected() async throws -> ByteBuffer {
        let sink = CollectedBody()
        try await write(CollectingWriter(sink: sink))
        return sink.buffer
    }
}

/// Where a ``CollectingWriter`` puts what it is given.
private final class CollectedBody: Sendable {
    private let bytes = Mutex(ByteBuffer())

    func append(_ buffer: ByteBuffer) {
        bytes.withLock { bytes in
            var buffer = buffer
            bytes.writeBuffer(&buffer)
        }
    }

    var buffer: ByteBuffer { bytes.withLock { $0 } }
}

private struct CollectingWriter: ResponseBodyWriter {
    let sink: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        sink.append(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

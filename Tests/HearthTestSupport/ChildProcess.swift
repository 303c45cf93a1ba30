import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program the tests run (`hearth`, `openssl`, `sqlite3`, PostgreSQL's), started with
/// `posix_spawn` with every descriptor above standard error closed in the child, and waited
/// for by a thread of its own. Set up like Foundation's `Process` (the same names), so a test
/// reads the same.
///
/// Why not `Process`: in Swift 6.3.1's Foundation, `Process.run()` lists `/proc/self/fd` to
/// find the descriptors to close in the child and reads past the end of its buffer once more
/// than about 1,300 are open (swift-corelibs-foundation#5472, fixed upstream after 6.3.1). The
/// test processes hold up to 2,500 (the SQLite files of hundreds of tests running side by
/// side), and CI crashed there, in whichever test started a child at that moment. And a server
/// the child leaves running (`pg_ctl start`) would inherit the descriptor `Process` watches for
/// its child's end, so the wait would last as long as the server.
///
/// Configured by one thread before ``run()``; after it, any thread may ask and wait.
public final class ChildProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes; nil (the default) is the test process's.
    public enum Stream {
        /// `/dev/null`.
        case null
        /// This end of the pipe (the read end for standard input, the write end for the
        /// others); closed in the test process once the child has it.
        case pipe(Pipe)
        /// A file created (or emptied) for writing.
        case file(String)
        /// Standard output, wherever it goes (for standard error only).
        case output
    }

    /// How the child ended, as Foundation's `Process` says it.
    public enum TerminationReason: Sendable {
        case exit
        case uncaughtSignal
    }

    public var executableURL: URL?
    public var arguments: [String] = []
    /// The child's whole environment; nil for the test process's.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    public var standardInput: Stream?
    public var standardOutput: Stream?
    public var standardError: Stream?

    public private(set) var processIdentifier: pid_t = 0

    /// The raw status `waitpid` gave, once the child has ended.
    private let ended = Mutex<Int32?>(nil)
    private let exited = DispatchGroup()

    public init() {}

    /// Starts the child; throws when it cannot be started (its program missing, a file that
    /// cannot be opened), naming the program.
    public func run() throws(ChildProcessError) {
        guard processIdentifier == 0 else { throw ChildProcessError("\(program) was started already") }
        guard let executable = executableURL?.path else { throw ChildProcessError("no program to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [FileHandle] = []
        func attach(_ stream: Stream?, to descriptor: Int32) {
            let reading = descriptor == STDIN_FILENO
            switch stream {
            case nil: break
            case .null:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", reading ? O_RDONLY : O_WRONLY, 0)
            case .pipe(let pipe):
                let end = reading ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, descriptor)
                childEnds.append(end)
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .output:
                posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, descriptor)
            }
        }
        attach(standardInput, to: STDIN_FILENO)
        attach(standardOutput, to: STDOUT_FILENO)
        attach(standardError, to: STDERR_FILENO)
        guard spawnActions.closeFrom(&actions, 3) == 0 else {
            throw ChildProcessError("cannot close the descriptors \(program) must not inherit")
        }
        if let directory = currentDirectoryURL?.path, spawnActions.changeDirectory(&actions, directory) != 0 {
            throw ChildProcessError("cannot run \(program) in \(directory)")
        }
        // Signals as a program expects them: none blocked, none ignored (this process ignores
        // SIGPIPE, and an ignored signal stays ignored across exec).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let environment = self.environment.map { variables in
            variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { for variable in environment ?? [] { free(variable) } }
        var pid: pid_t = 0
        let spawned =
            environment.map { posix_spawn(&pid, executable, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw ChildProcessError("cannot run \(program): \(String(cString: strerror(spawned)))")
        }
        let child = pid
        processIdentifier = child
        for end in childEnds { try? end.close() }
        exited.enter()
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 {
                guard errno == EINTR else {
                    status = 0x7f00  // not ours to wait for any more: read as exit status 127
                    break
                }
            }
            ended.withLock { $0 = status }
            exited.leave()
        }
        thread.stackSize = 64 << 10
        thread.start()
    }

    /// What a child run by ``outputs(input:)`` wrote.
    public struct Outputs: Sendable {
        public let standardOutput: Data
        public let standardError: Data

        /// Each stream as UTF-8 text (an invalid byte read as U+FFFD).
        public var text: (standardOutput: String, standardError: String) {
            (String(decoding: standardOutput, as: UTF8.self), String(decoding: standardError, as: UTF8.self))
        }
    }

    /// Starts the child, writes `input` (when given) to its standard input and closes it, reads
    /// its standard output and error to their ends, and waits for it to end. A stream set
    /// before is left as set (and reads as empty here); one left nil is read through a pipe.
    ///
    /// The three are done at once, each on a thread of its own: a child blocks once a pipe
    /// holds 64 KB nobody reads, so reading one stream to its end before the other (or writing
    /// the input first) waits forever on a child that writes much to the stream not read yet.
    public func outputs(input: Data? = nil) throws(ChildProcessError) -> Outputs {
        let output = standardOutput == nil ? Pipe() : nil
        let errors = standardError == nil ? Pipe() : nil
        let feed = input.map { _ in Pipe() }
        if let output { standardOutput = .pipe(output) }
        if let errors { standardError = .pipe(errors) }
        if let feed { standardInput = .pipe(feed) }
        try run()
        let streams = DispatchGroup()
        let said = Mutex(Data())
        if let errors {
            Self.onThread(streams) {
                let data = errors.fileHandleForReading.readDataToEndOfFile()
                said.withLock { $0 = data }
            }
        }
        if let feed, let input {
            Self.onThread(streams) {
                // A child that ends without reading it all closes the pipe: the rest is dropped,
                // and the SIGPIPE that write raises is held on this thread, which ends with it
                // pending (it would end the whole test process otherwise).
                var pipeSignal = sigset_t()
                sigemptyset(&pipeSignal)
                sigaddset(&pipeSignal, SIGPIPE)
                pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                try? feed.fileHandleForWriting.write(contentsOf: input)
                try? feed.fileHandleForWriting.close()
            }
        }
        let written = output?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        streams.wait()
        waitUntilExit()
        return Outputs(standardOutput: written, standardError: said.withLock { $0 })
    }

    private static func onThread(_ group: DispatchGroup, _ work: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            work()
            group.leave()
        }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Whether the child was started and has not ended (as far as its waiting thread knows).
    public var isRunning: Bool { processIdentifier != 0 && ended.withLock { $0 } == nil }

    /// Blocks the calling thread until the child has ended (at once if it never started).
    public func waitUntilExit() {
        guard processIdentifier != 0 else { return }
        exited.wait()
    }

    /// The exit status, or the signal that ended the child; -1 while it runs.
    public var terminationStatus: Int32 {
        guard let status = ended.withLock({ $0 }) else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: TerminationReason {
        guard let status = ended.withLock({ $0 }) else { return .exit }
        return status & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// Sends SIGTERM, unless the child has ended.
    public func terminate() { signal(SIGTERM) }

    /// Sends `signal`, unless the child has ended (its id may be another process's by then).
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
    }

    private var program: String { executableURL?.lastPathComponent ?? "the program" }
}

/// Why a child could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later) and
/// `posix_spawn_file_actions_addchdir_np` (2.29), which Swift's Glibc module does not declare:
/// found by name in the running process.
private let spawnActions = SpawnActions()

private struct SpawnActions: Sendable {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    let closeFrom: CloseFrom
    let changeDirectory: ChangeDirectory

    init() {
        closeFrom = Self.symbol("posix_spawn_file_actions_addclosefrom_np", glibc: "2.34")
        changeDirectory = Self.symbol("posix_spawn_file_actions_addchdir_np", glibc: "2.29")
    }

    private static func symbol<Function>(_ name: String, glibc: String) -> Function {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("glibc \(glibc) or later is needed (\(name))")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }
}

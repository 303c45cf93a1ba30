import Foundation
import HearthTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tests' programs run as ``ChildProcess``es: Foundation's `Process.run()` crashed CI when
/// a test process held more than about 1,300 descriptors (swift-corelibs-foundation#5472).
@Suite("Child processes the tests start: nothing inherited, statuses and streams as Process gave them")
struct ChildProcessTests {
    /// Runs `/bin/sh -c script` and returns what it printed, and the process.
    func shell(
        _ script: String, environment: [String: String]? = nil, directory: String? = nil, input: String? = nil
    ) async throws -> (output: String, process: ChildProcess) {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.environment = environment
        process.currentDirectoryURL = directory.map { URL(fileURLWithPath: $0) }
        process.standardError = .output
        if input == nil { process.standardInput = .null }
        let printed = try await offPool { try process.outputs(input: input.map { Data($0.utf8) }).text.standardOutput }
        return (printed, process)
    }

    /// With 2,000 more descriptors open than the test process already holds (where `Process`
    /// crashed past about 1,300), each of several children holds only its three standard
    /// streams.
    @Test("with 2,000 more descriptors open, a child starts and inherits none of them")
    func manyDescriptorsOpen() async throws {
        let opened = (0..<2000).map { _ in open("/dev/null", O_RDONLY) }
        defer { for descriptor in opened where descriptor >= 0 { close(descriptor) } }
        #expect(opened.allSatisfy { $0 >= 0 }, "the descriptors were opened")
        for _ in 0..<5 {
            // The shell's own descriptors, listed while it waits for ls.
            let (output, process) = try await shell("ls /proc/$$/fd")
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(output)")
            #expect(output.split(separator: "\n").sorted() == ["0", "1", "2"])
        }
    }

    @Test("exit statuses and signals read as Process read them; isRunning until the end")
    func statuses() async throws {
        let (_, exited) = try await shell("exit 3")
        #expect(exited.terminationReason == .exit)
        #expect(exited.terminationStatus == 3)
        #expect(!exited.isRunning)

        let (_, killed) = try await shell("kill -KILL $$")
        #expect(killed.terminationReason == .uncaughtSignal)
        #expect(killed.terminationStatus == SIGKILL)

        let sleeper = ChildProcess()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["600"]
        try sleeper.run()
        #expect(sleeper.isRunning)
        #expect(sleeper.processIdentifier > 0)
        sleeper.terminate()
        await offPool { sleeper.waitUntilExit() }
        #expect(!sleeper.isRunning)
        #expect(sleeper.terminationReason == .uncaughtSignal)
        #expect(sleeper.terminationStatus == SIGTERM)
        sleeper.terminate()  // ended: nothing is sent to a process that may now be another's
    }

    @Test("the environment, directory and standard input given are the child's")
    func environmentDirectoryInput() async throws {
        let directory = FileManager.default.temporaryDirectory.path
        let (printed, _) = try await shell(
            "echo \"$HEARTH_CHILD_TEST\"; pwd; head -n 1",
            environment: ["HEARTH_CHILD_TEST": "given", "PATH": "/usr/bin:/bin"], directory: directory,
            input: "from the test\n")
        #expect(printed == "given\n\(directory)\nfrom the test\n")
    }

    /// A child inherits the signal mask of the thread that starts it; a program expects none
    /// blocked. Blocked here on a thread of the test's own, so no other test sees it.
    @Test("a signal blocked in the thread that starts a child is not blocked in the child")
    func signalsUnblocked() async throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/grep")
        process.arguments = ["^SigBlk:", "/proc/self/status"]
        let output = Pipe()
        process.standardOutput = .pipe(output)
        let started: Result<Void, ChildProcessError> = await offPool {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGUSR2)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            var now = sigset_t()
            pthread_sigmask(SIG_BLOCK, nil, &now)
            guard sigismember(&now, SIGUSR2) == 1 else { return .failure(ChildProcessError("SIGUSR2 not blocked")) }
            return Result { () throws(ChildProcessError) in try process.run() }
        }
        try started.get()
        let printed = await offPool {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let mask = printed.split(separator: "\t").last.flatMap {
            UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
        }
        #expect(mask == 0, "\(printed)")
    }

    /// A pipe holds 64 KB: a child writing more to the stream not yet read, or writing more
    /// output before it reads its input, blocks until the test reads or writes. Run on a thread
    /// that gives up after `bound` by killing the child, so a reader that waits in the wrong
    /// order fails the test instead of hanging it.
    @Test(
        "a child's output, error and input are read and written at once: a megabyte on each does not block it",
        arguments: [
            // Standard error filled before anything is written to standard output (by the
            // shell itself: killed, it leaves no program behind holding the pipes open).
            "printf '%1048576s' '' >&2; echo done",
            // Standard output filled before the input is read, then the input echoed to error.
            "printf '%1048576s' ''; cat >&2",
        ])
    func largeStreams(script: String) async throws {
        let input = Data(repeating: UInt8(ascii: "i"), count: 1 << 20)
        let bound = DispatchTimeInterval.seconds(300)
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let read: Result<ChildProcess.Outputs, ChildProcessError>? = await offPool {
            let finished = DispatchSemaphore(value: 0)
            let result = Mutex<Result<ChildProcess.Outputs, ChildProcessError>?>(nil)
            Thread {
                let outputs = Result { () throws(ChildProcessError) in try process.outputs(input: input) }
                result.withLock { $0 = outputs }
                finished.signal()
            }.start()
            if finished.wait(timeout: .now() + bound) == .timedOut {
                process.signal(SIGKILL)  // unblocks every pipe, and the reader returns
                finished.wait()
                return nil
            }
            return result.withLock { $0 }
        }
        let outputs = try #require(try read?.get(), "the streams were still blocked after \(bound)")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        if script.hasSuffix("echo done") {
            #expect(outputs.standardError == Data(repeating: UInt8(ascii: " "), count: 1 << 20))
            #expect(outputs.text.standardOutput == "done\n")
        } else {
            #expect(outputs.standardOutput == Data(repeating: UInt8(ascii: " "), count: 1 << 20))
            #expect(outputs.standardError == input)
        }
    }

    @Test("a program that is not there is refused by name, and nothing runs")
    func missingProgram() throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/nonexistent/hearth-no-such-program")
        #expect(throws: ChildProcessError.self) { try process.run() }
        #expect(!process.isRunning)
        process.waitUntilExit()  // returns at once: never started
        do {
            try process.run()
        } catch {
            #expect(error.description.contains("hearth-no-such-program"), "\(error)")
        }
    }
}

import Foundation
import Glibc

/// Figure (d): the wall time of whole processes, spawned one after another.
enum ColdStart {
    /// One command line and the wall times of its spawns.
    struct Sample {
        let label: String
        let argv: [String]
        var milliseconds: [Double] = []
    }

    /// What a spawn ended with.
    struct Exit {
        let nanoseconds: UInt64
        /// The exit code, or nil when a signal ended the process.
        let code: Int32?
    }

    /// Spawns every command `count` times, interleaved (each pass rotates the
    /// order), with standard streams on /dev/null. Stops at a failed spawn.
    static func measure(_ commands: [Sample], count: Int) throws(SpawnError) -> [Sample] {
        var samples = commands
        for pass in 0..<count {
            for offset in 0..<samples.count {
                let index = (pass + offset) % samples.count
                let exit = try spawnAndWait(samples[index].argv, stdoutPath: "/dev/null")
                guard exit.code == 0 else {
                    throw SpawnError(
                        message: "\(samples[index].label) exited with \(exit.code.map(String.init) ?? "a signal")")
                }
                samples[index].milliseconds.append(Double(exit.nanoseconds) / 1e6)
            }
        }
        return samples
    }

    /// Runs `argv` (argv[0] is a path) to the end, stdin and stderr on
    /// /dev/null and stdout into `stdoutPath`.
    static func spawnAndWait(_ argv: [String], stdoutPath: String) throws(SpawnError) -> Exit {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        arguments.append(nil)
        defer {
            for argument in arguments { free(argument) }
        }

        var pid = pid_t()
        let start = Clock.now()
        let status = posix_spawn(&pid, argv[0], &actions, nil, arguments, environ)
        guard status == 0 else {
            throw SpawnError(message: "cannot start \(argv[0]): \(String(cString: strerror(status)))")
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 {
            guard errno == EINTR else { throw SpawnError(message: "waitpid failed for \(argv[0])") }
        }
        let elapsed = Clock.now() - start
        let exited = waitStatus & 0x7f == 0
        return Exit(nanoseconds: elapsed, code: exited ? (waitStatus >> 8) & 0xff : nil)
    }

    /// Runs `keyward dry-run SCRIPT --value x --json` once and checks it ran
    /// the script: exit 0, outcome `ok`, a 2-byte result ("XX").
    static func validateDryRun(keyward: String, script: String, scratch: String) -> String? {
        let output = scratch + "/dry-run.json"
        let exit: Exit
        do {
            exit = try spawnAndWait([keyward, "dry-run", script, "--value", "x", "--json"], stdoutPath: output)
        } catch {
            return error.message
        }
        guard exit.code == 0 else {
            return "`keyward dry-run --json` exited with \(exit.code.map(String.init) ?? "a signal")"
        }
        guard let data = FileManager.default.contents(atPath: output),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["outcome"] as? String == "ok",
            let result = object["result"] as? [String: Any],
            (result["length"] as? NSNumber)?.intValue == 2
        else {
            return "`keyward dry-run --json` did not print an ok result of length 2 (is dry-run implemented?)"
        }
        return nil
    }

    /// Why a spawn failed.
    struct SpawnError: Error {
        let message: String
    }
}

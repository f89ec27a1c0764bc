import Foundation

/// The command line of `keyward-bench`.
struct BenchOptions {
    /// The release `keyward` binary for the cold-start figure; nil skips it.
    var keywardPath: String?
    /// Rounds of every in-process figure; the report shows their median.
    var rounds = 9
    /// Wall time each figure runs for in one round.
    var secondsPerFigure = 0.25
    /// Processes spawned for each cold-start figure.
    var spawns = 20
    /// Stack of the threads the benchmark creates (the engine needs ≥ 1 MiB).
    var threadStackBytes = 1 << 20
    /// When set, runs only one side on the main thread, this many calls (for
    /// perf record or callgrind), and prints nothing else.
    var profile: (side: ProfileSide, calls: Int)?

    /// Which side a profile run exercises.
    enum ProfileSide {
        case keyward, bare
    }

    static let usage = """
        usage: keyward-bench [--keyward PATH] [--rounds N] [--seconds S] [--spawns N]
                             [--stack BYTES] [--profile-keyward CALLS | --profile-bare CALLS]

          --keyward PATH        release keyward binary for the cold dry-run figure
                                (default .build/release/keyward when it exists)
          --rounds N            rounds per in-process figure, median reported (default 9)
          --seconds S           seconds each figure runs in one round (default 0.25)
          --spawns N            processes per cold-start figure (default 20)
          --stack BYTES         stack of the benchmark's own threads (default 1048576)
          --profile-keyward N   only run N calls of Keyward's path on the main thread
                                and exit (for perf record / valgrind --tool=callgrind)
          --profile-bare N      the same for the bare loop
        """

    /// Parses `arguments` (without the program name); prints usage and exits on error.
    static func parse(_ arguments: [String]) -> BenchOptions {
        var options = BenchOptions()
        var iterator = arguments.makeIterator()
        func value(for flag: String) -> String {
            guard let value = iterator.next() else { fail("\(flag) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--keyward": options.keywardPath = value(for: argument)
            case "--rounds": options.rounds = positiveInt(value(for: argument), argument)
            case "--seconds": options.secondsPerFigure = positiveDouble(value(for: argument), argument)
            case "--spawns": options.spawns = positiveInt(value(for: argument), argument)
            case "--stack": options.threadStackBytes = positiveInt(value(for: argument), argument)
            case "--profile-keyward": options.profile = (.keyward, positiveInt(value(for: argument), argument))
            case "--profile-bare": options.profile = (.bare, positiveInt(value(for: argument), argument))
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument \(argument)")
            }
        }
        if options.keywardPath == nil, FileManager.default.isExecutableFile(atPath: ".build/release/keyward") {
            options.keywardPath = ".build/release/keyward"
        }
        return options
    }

    private static func positiveInt(_ text: String, _ flag: String) -> Int {
        guard let number = Int(text), number > 0 else { fail("\(flag) needs a positive integer") }
        return number
    }

    private static func positiveDouble(_ text: String, _ flag: String) -> Double {
        guard let number = Double(text), number > 0 else { fail("\(flag) needs a positive number") }
        return number
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("keyward-bench: \(message)\n\(usage)\n".utf8))
        exit(2)
    }
}

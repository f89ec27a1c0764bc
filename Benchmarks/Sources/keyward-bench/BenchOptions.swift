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
    /// The sections to run (`--only`); all by default.
    var sections = Set(Section.allCases)
    /// Rounds of the queue figure; the report shows their median.
    var queueRounds = 5
    /// The executor's workers in the queue figure, and the baseline's.
    var queueWorkers = 4
    /// Accounts the queue figure creates and resets.
    var queueAccounts = 200
    /// Rounds of the directory figure; the report shows their median.
    var directoryRounds = 5
    /// The executor's workers in the directory figure.
    var directoryWorkers = 4
    var directoryClients = 8
    /// People the directory figure creates on its slapd and resets.
    var directoryPeople = 100
    /// Concurrent clients of the API load figure (and tasks of its baseline).
    var apiClients = 50
    /// Seconds each side of the API load figure runs.
    var apiSeconds = 30.0
    /// The most unfinished changes of its own an API load client leaves before it waits.
    var apiWindow = 4
    /// Figure (h): rounds, queued operations per run, workers per process.
    var scaleRounds = 3
    var scaleOperations = 2_000
    var scaleWorkers = 4
    var scalePostgresSettings: [String] = []

    /// A part of the report that `--only` can select.
    enum Section: String, CaseIterable {
        /// (a), (b), (c): the transformation path against the bare Lua loop.
        case transform
        /// (d): the cold `keyward dry-run` process.
        case cold
        /// (e): password resets through plan, queue and execute against direct UPDATEs.
        case queue
        /// (f): password resets to slapd through the engine against bare libldap.
        case directory
        /// (g): password changes through the JSON API on loopback against the desk directly.
        case api
        /// (h): queued operations drained by 1, 2, 4 processes on PostgreSQL against one on SQLite.
        case scale
    }

    /// Which side a profile run exercises.
    enum ProfileSide {
        case keyward, bare
    }

    static let usage = """
        usage: keyward-bench [--only SECTIONS] [--keyward PATH] [--rounds N] [--seconds S] [--spawns N]
                             [--stack BYTES] [--queue-rounds N] [--queue-workers N] [--queue-accounts N]
                             [--directory-rounds N] [--directory-workers N] [--directory-clients N]
                             [--directory-people N] [--api-clients N] [--api-seconds S] [--api-window N]
                             [--api-smoke] [--scale-rounds N] [--scale-operations N] [--scale-workers N]
                             [--scale-pg-setting NAME=VALUE]
                             [--profile-keyward CALLS | --profile-bare CALLS]

          --only SECTIONS       run only these, comma-separated: transform (a-c), cold (d),
                                queue (e), directory (f), api (g), scale (h) (default: all)
          --keyward PATH        release keyward binary for the cold dry-run figure
                                (default .build/release/keyward when it exists)
          --rounds N            rounds per in-process figure, median reported (default 9)
          --seconds S           seconds each figure runs in one round (default 0.25)
          --spawns N            processes per cold-start figure (default 20)
          --stack BYTES         stack of the benchmark's own threads (default 1048576)
          --queue-rounds N      rounds of the queue figure, median reported (default 5)
          --queue-workers N     executor workers in the queue figure, and baseline workers (default 4)
          --queue-accounts N    accounts the queue figure creates and resets (default 200)
          --directory-rounds N  rounds of the directory figure, median reported (default 5)
          --directory-workers N executor workers in the directory figure (default 4)
          --directory-clients N concurrent clients sending the directory figure's requests (default 8)
          --directory-people N  people the directory figure creates on slapd and resets, at least
                                the executor's batch of 32 (default 100)
          --api-clients N       concurrent clients of the API load figure (default 50)
          --api-seconds S       seconds each side of the API load figure runs (default 30)
          --api-window N        unfinished changes a client of figure (g) leaves before it waits (default 4)
          --api-smoke           the API load figure briefly: 8 clients, 3 s per side
          --scale-rounds N      rounds of the scale-out figure (h), median reported (default 3)
          --scale-operations N  operations queued per run of figure (h) (default 2000)
          --scale-workers N     workers of each `keyward run` process in figure (h) (default 4)
          --scale-pg-setting S  a server setting for figure (h)'s PostgreSQL (repeatable), e.g.
                                synchronous_commit=off, to find what limits it
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
            case "--only": options.sections = sections(value(for: argument), argument)
            case "--queue-rounds": options.queueRounds = positiveInt(value(for: argument), argument)
            case "--queue-workers": options.queueWorkers = positiveInt(value(for: argument), argument)
            case "--queue-accounts": options.queueAccounts = positiveInt(value(for: argument), argument)
            case "--directory-rounds": options.directoryRounds = positiveInt(value(for: argument), argument)
            case "--directory-workers": options.directoryWorkers = positiveInt(value(for: argument), argument)
            case "--directory-clients": options.directoryClients = positiveInt(value(for: argument), argument)
            case "--directory-people": options.directoryPeople = positiveInt(value(for: argument), argument)
            case "--api-clients": options.apiClients = positiveInt(value(for: argument), argument)
            case "--api-seconds": options.apiSeconds = positiveDouble(value(for: argument), argument)
            case "--api-window": options.apiWindow = positiveInt(value(for: argument), argument)
            case "--scale-rounds": options.scaleRounds = positiveInt(value(for: argument), argument)
            case "--scale-operations": options.scaleOperations = positiveInt(value(for: argument), argument)
            case "--scale-workers": options.scaleWorkers = positiveInt(value(for: argument), argument)
            case "--scale-pg-setting": options.scalePostgresSettings.append(value(for: argument))
            case "--api-smoke":
                options.apiClients = 8
                options.apiSeconds = 3
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

    private static func sections(_ text: String, _ flag: String) -> Set<Section> {
        var sections: Set<Section> = []
        for name in text.split(separator: ",") {
            guard let section = Section(rawValue: String(name)) else {
                fail("\(flag) takes transform, cold, queue, directory or api, not '\(name)'")
            }
            sections.insert(section)
        }
        if sections.isEmpty { fail("\(flag) needs at least one section") }
        return sections
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

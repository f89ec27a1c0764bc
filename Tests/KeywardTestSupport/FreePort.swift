/// Free TCP ports for the test servers, and starting a server despite the
/// race their probe leaves: a port is found by binding port 0 and closing
/// it, so another process may take it before the server binds it.
public enum FreePort {
    /// A TCP port on 127.0.0.1 nothing is bound to now.
    public static func next() throws -> Int {
        try SilentListener(listening: false).port
    }

    /// Runs `start` again while it fails because a port was taken (its
    /// error says "address already in use"), three times in all. `start`
    /// picks its ports itself, and cleans up after itself when it throws.
    public static func retrying<T>(_ start: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try start()
            } catch where attempt < 3 && "\(error)".lowercased().contains("address already in use") {
                attempt += 1
            }
        }
    }
}

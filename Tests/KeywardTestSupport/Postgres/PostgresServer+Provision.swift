import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension PostgresServer {
    /// The server's settings (`-c` options): TLS, the socket, and logging of
    /// everything a leak could hide in; fsync off (a test server needs no
    /// durability against power loss, only against its own stop).
    var settings: [String] {
        var settings = [
            "listen_addresses=127.0.0.1,127.0.0.2", "max_connections=300", "fsync=off", "synchronous_commit=off",
            "full_page_writes=off", "log_statement=all", "log_connections=on", "log_disconnections=on",
            "log_min_messages=info", "log_min_error_statement=error", "log_parameter_max_length=-1",
            "log_parameter_max_length_on_error=-1", "log_error_verbosity=verbose", "logging_collector=off",
        ]
        if tls {
            settings += ["ssl=on", "ssl_cert_file=\(directory)/server.pem", "ssl_key_file=\(directory)/server-key.pem"]
        }
        return settings
    }

    /// Makes the folder, the certificates and the cluster (initdb with
    /// scram-sha-256 and the superuser's password), and a pg_hba that
    /// takes scram logins from the loopback network, with or without TLS.
    func provision() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TestCertificates.authority(in: directory, name: "ca", commonName: "Keyward Test PostgreSQL CA")
        try TestCertificates.authority(in: directory, name: "other-ca", commonName: "Someone Else's CA")
        try TestCertificates.server(
            in: directory, name: "server", subjectAltName: "DNS:localhost,IP:127.0.0.1", signedBy: "ca")
        try Self.password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        try giveToPostgres()
        let initdb = Self.asPostgres + [
            Self.binaries + "/initdb", "-D", dataPath, "-A", "scram-sha-256", "--pwfile=\(directory)/pwfile",
            "-U", Self.user, "-E", "UTF8", "--locale=C", "--no-sync",
        ]
        try PostgresProcess.output(initdb[0], Array(initdb.dropFirst()), environment: [:])
        try "local all all scram-sha-256\nhost all all 127.0.0.0/8 scram-sha-256\n"
            .write(toFile: dataPath + "/pg_hba.conf", atomically: false, encoding: .utf8)
    }

    /// Hands the folder to the postgres user (when root), with the key readable by it alone.
    private func giveToPostgres() throws {
        chmod(directory + "/server-key.pem", 0o600)
        guard geteuid() == 0, let account = getpwnam("postgres") else { return }
        for name in ["", "/server.pem", "/server-key.pem", "/pwfile"] {
            guard chown(directory + name, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw PostgresServerError("chown \(directory + name) to postgres failed: errno \(errno)")
            }
        }
    }

    /// Waits until postmaster.pid says `ready` (PostgreSQL writes it once it
    /// accepts logins), or throws with the log when the server exits or 30 s pass.
    func waitUntilReady(_ spawned: pid_t) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let lines = ((try? String(contentsOfFile: dataPath + "/postmaster.pid", encoding: .utf8)) ?? "")
                .split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count > 7, lines[0] == String(spawned), lines[7].trimmingCharacters(in: .whitespaces) == "ready" {
                return
            }
            var status: Int32 = 0
            if waitpid(spawned, &status, WNOHANG) == spawned {
                stop()
                throw PostgresServerError("postgres exited on start; its log:\n" + logText())
            }
            usleep(20_000)
        }
        stop()
        throw PostgresServerError("postgres was not ready after 30 s; its log:\n" + logText())
    }

    /// Starts a shell that stops the server by the PID in postmaster.pid
    /// (if that PID is still this server's postgres) and removes the folder
    /// once this test process is gone without having stopped it (a crash, a kill).
    func watch() throws {
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            pid=$(head -n 1 '\(dataPath)/postmaster.pid' 2>/dev/null)
            # Only that postgres: a stale file's PID may belong to another process by now.
            [ -n "$pid" ] && grep -qa -- '\(dataPath)' "/proc/$pid/cmdline" 2>/dev/null && kill -INT "$pid" 2>/dev/null
            sleep 3; rm -rf '\(directory)'
            """
        _ = try ChildProcess.spawn(
            ["/bin/sh", "-c", script], log: "/dev/null", environment: PostgresProcess.environment, detached: true)
    }
}

/// The test server could not be made, started or asked something.
public struct PostgresServerError: Error, CustomStringConvertible {
    /// What went wrong, with the tool's output.
    public let description: String
    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

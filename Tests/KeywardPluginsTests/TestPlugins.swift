/// Plugins the tests write into their temporary folders.
enum TestPlugins {
    /// A plugin that keeps accounts in memory and behaves, except for the
    /// uids that ask it to misbehave (its first argument is a folder for
    /// `once-` markers):
    ///
    /// - `crash`: exits with status 3 after reading the request, without answering.
    /// - `hang`: never answers.
    /// - `garbage`: answers with a line that is not JSON.
    /// - `flood`: answers with a line of 10 MiB.
    /// - `wrong-id`: answers with the next request's id.
    /// - `echo`: puts the request's secret in its error message.
    /// - `echo-escaped`: the same, with every non-ASCII character as `\uXXXX`.
    /// - `stderr`: writes the secret to stderr, then succeeds.
    /// - `unsolicited`: succeeds, then writes one more line nobody asked for.
    /// - `pid`, `env`, `cwd`: `get` returns its process id, environment or folder.
    /// - `once-MODE`: MODE the first time (a marker file remembers), then behaves.
    static let misbehaving = #"""
        #!/usr/bin/env python3
        import json, os, sys, time

        state = sys.argv[1] if len(sys.argv) > 1 else "."
        out = sys.stdout.buffer

        def send(message, ascii=True):
            out.write(json.dumps(message, ensure_ascii=ascii).encode("utf-8") + b"\n")
            out.flush()

        json.loads(sys.stdin.buffer.readline())
        send({"type": "hello", "protocol": 1, "name": "misbehaving", "version": "0.1",
              "capabilities": ["initialize", "change", "reset", "unlock"],
              "operations": ["schema", "test", "create", "update", "delete", "get",
                             "setPassword", "changePassword", "unlock"]})
        accounts = {}
        for line in sys.stdin.buffer:
            request = json.loads(line.decode("utf-8"))
            rid, op, uid = request["id"], request["op"], request.get("uid", "")
            secrets = [a["secret"] for a in request.get("attributes", []) if "secret" in a]
            mode = uid
            if uid.startswith("once-"):
                marker = os.path.join(state, uid)
                mode = "normal" if os.path.exists(marker) else uid[len("once-"):]
                open(marker, "a").close()
            if mode == "crash":
                os._exit(3)
            if mode == "hang":
                time.sleep(3600)
            if mode == "garbage":
                out.write(b"this is not JSON at all\n"); out.flush(); continue
            if mode == "flood":
                out.write(b"x" * (10 << 20) + b"\n"); out.flush(); continue
            if mode == "wrong-id":
                send({"id": rid + 1, "result": {}}); continue
            if mode == "echo":
                send({"id": rid, "error": {"kind": "policy-rejected", "message": "refused " + secrets[0]}}, ascii=False); continue
            if mode == "echo-escaped":
                send({"id": rid, "error": {"kind": "policy-rejected", "message": "refused " + secrets[0]}}); continue
            if mode == "stderr":
                sys.stderr.write("debug: the password is " + secrets[0] + "\n"); sys.stderr.flush()
            if op == "get" and mode in ("pid", "env", "cwd"):
                values = {"pid": {"pid": os.getpid()}, "env": dict(os.environ), "cwd": {"cwd": os.getcwd()}}[mode]
                send({"id": rid, "result": {"uid": uid, "attributes": values}}); continue
            if op in ("schema", "test"):
                send({"id": rid, "result": {"attributes": [{"name": "uid", "required": True}]} if op == "schema" else {}})
            elif op == "create" and uid in accounts:
                send({"id": rid, "error": {"kind": "already-exists", "message": "exists: " + uid}})
            elif op == "create":
                accounts[uid] = {"secrets": secrets, "locked": False}
                send({"id": rid, "result": {}})
            elif uid not in accounts and mode not in ("stderr", "unsolicited", "normal"):
                send({"id": rid, "error": {"kind": "not-found", "message": "no account " + uid}})
            else:
                account = accounts.setdefault(uid, {"secrets": [], "locked": False})
                send({"id": rid, "result": {"uid": uid, "attributes": {}, "locked": account["locked"]} if op == "get" else {}})
            if mode == "unsolicited":
                send({"id": 0, "result": {}})
        """#

    /// Answers the hello with protocol version 2, then reads until stdin closes.
    static let futureProtocol = """
        #!/bin/sh
        read -r hello
        echo '{"type":"hello","protocol":2,"name":"from-the-future","capabilities":[],"operations":[]}'
        cat >/dev/null
        """

    /// Refuses the hello with a configuration error.
    static let refusing = """
        #!/bin/sh
        read -r hello
        echo '{"type":"hello","error":{"kind":"configuration","message":"no database configured"}}'
        """
}

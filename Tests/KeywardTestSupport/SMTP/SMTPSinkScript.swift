extension SMTPSink {
    /// The sink: aiosmtpd's Controller with STARTTLS and AUTH required
    /// (`starttls`), TLS from the first byte (`smtps`), or neither (`plain`).
    /// Each delivered message is appended to the log as one JSON line: the
    /// envelope, the login, whether TLS was on, the raw data, and what
    /// Python's `email` package reads from it (headers decoded, parts
    /// decoded from quoted-printable or base64, defects). `MAIL` commands are
    /// logged too, so a test can see that nothing was attempted.
    ///
    /// Addresses starting with `reject` are refused at RCPT (550), senders
    /// starting with `blocked` at MAIL (553).
    static let script = #"""
        import asyncio, email, email.policy, json, signal, ssl, sys, time
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        # The test runner blocks SIGTERM in its threads; a child inherits that.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

        port, log_path, user, password, cert, key, mode, ready = sys.argv[1:9]

        def record(entry):
            with open(log_path, "a") as log:
                log.write(json.dumps(entry) + "\n")

        def authenticator(server, session, envelope, mechanism, auth_data):
            if auth_data.login.decode() == user and auth_data.password.decode() == password:
                return AuthResult(success=True, auth_data=auth_data)
            # handled=False makes aiosmtpd answer 535; the default sends nothing and the client hangs.
            return AuthResult(success=False, handled=False)

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, options):
                record({"event": "mail", "from": address})
                if address.startswith("blocked"):
                    return "553 5.7.1 sender not allowed"
                envelope.mail_from = address
                envelope.mail_options.extend(options)
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, options):
                if address.startswith("reject"):
                    return "550 5.1.1 mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                raw = envelope.original_content
                message = email.message_from_bytes(raw, policy=email.policy.default)
                parts = {}
                defects = [type(d).__name__ for d in message.defects]
                for part in message.walk():
                    defects += [type(d).__name__ for d in part.defects]
                    if part.get_content_maintype() == "text":
                        parts[part.get_content_subtype()] = part.get_content()
                record({
                    "event": "data", "from": envelope.mail_from, "rcpts": envelope.rcpt_tos,
                    "login": session.login_data.decode() if session.login_data else None,
                    "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None, "data": raw.decode("ascii", "replace"),
                    "subject": str(message["subject"]), "to": str(message["to"]), "from_header": str(message["from"]),
                    "message_id": str(message["message-id"]), "text": parts.get("plain"), "html": parts.get("html"),
                    "defects": defects,
                })
                return "250 Message accepted"

        context = None
        if mode != "plain":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
        arguments = dict(hostname="127.0.0.1", port=int(port), authenticator=authenticator)
        if mode == "starttls":
            arguments.update(tls_context=context, require_starttls=True, auth_required=True, auth_require_tls=True)
        elif mode == "smtps":
            # aiosmtpd counts only STARTTLS as TLS for AUTH; here TLS is on from the first byte.
            arguments.update(ssl_context=context, auth_required=True, auth_require_tls=False)
        else:
            arguments.update(require_starttls=False, auth_required=False, auth_require_tls=False)
        controller = Controller(Handler(), **arguments)
        controller.start()
        open(ready, "w").close()
        while True:
            time.sleep(3600)
        """#
}

import Foundation
import Hummingbird
import KeywardCore
import Logging

/// The helpdesk's sign-in and sign-out, and the session cookie.
extension PageRoutes {
    /// The session cookie's name (`__Secure-` over HTTPS; `__Host-` is not
    /// possible with `Path=/helpdesk`).
    var sessionCookieName: String {
        dependencies.settings.secureTransport ? "__Secure-keyward-helpdesk" : "keyward-helpdesk"
    }

    /// The session the request's cookie names, nil when none is open.
    func currentSession(_ request: Request) async -> SessionStore.Session? {
        guard let id = request.cookies[sessionCookieName]?.value, RandomToken.isWellFormed(id) else { return nil }
        return await sessions.session(id: id)
    }

    /// The signed-in bar: who, and the sign-out form with its token.
    func sessionBar(_ session: SessionStore.Session) -> [String: Any] {
        ["signedInAs": session.client.name, "logout": csrf.token(binding: session.id, action: "/helpdesk/logout")]
    }

    /// `GET /helpdesk/login`: the token form (signed in already: the helpdesk page).
    func showSignIn(_ request: Request) async throws -> Response {
        if await currentSession(request) != nil { return PageResponse.redirect(to: "/helpdesk") }
        let (binding, cookie) = formBinding(request)
        return try signInForm(binding: binding, cookies: cookie.map { [$0] } ?? [])
    }

    /// `POST /helpdesk/login`: a token with the `helpdesk` scope opens a
    /// session; anything else shows the form again (401). Each try takes an
    /// attempt from the client's limit.
    func signIn(_ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        let binding = csrf.cookieBinding(request)
        let form = try await acceptForm(request, action: "/helpdesk/login", binding: binding, secretFields: ["token"])
        try await takeAttempt(context, account: nil)
        guard let token = form.secret("token"), !token.isEmpty else {
            return try signInForm(
                binding: binding ?? "", errors: [FieldError(field: "token", message: "Paste your API token")],
                status: .unprocessableContent)
        }
        guard let client = try await tokens.find(token), client.scopes.contains(.helpdesk) else {
            return try signInForm(
                binding: binding ?? "",
                errors: [
                    FieldError(
                        field: "token",
                        message: "This token does not sign in here: it is unknown, revoked or expired, or lacks the helpdesk scope")
                ], status: .unauthorized)
        }
        let session = await sessions.open(for: client)
        dependencies.logger.info("helpdesk sign-in: \(client.name)")
        return PageResponse.redirect(to: "/helpdesk", cookies: [sessionCookie(session.id, maxAge: lifetimeSeconds)])
    }

    /// `POST /helpdesk/logout`: ends the session and clears its cookie.
    func signOut(_ request: Request) async throws -> Response {
        guard let session = await currentSession(request) else { return PageResponse.redirect(to: "/helpdesk/login") }
        _ = try await acceptForm(request, action: "/helpdesk/logout", binding: session.id)
        await sessions.close(id: session.id)
        return PageResponse.redirect(to: "/helpdesk/login", cookies: [sessionCookie("", maxAge: 0)])
    }

    /// The session cookie: `HttpOnly; SameSite=Strict; Path=/helpdesk`,
    /// `Secure` over HTTPS, gone after `maxAge` seconds.
    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: sessionCookieName, value: value, maxAge: maxAge, path: "/helpdesk",
            secure: dependencies.settings.secureTransport, httpOnly: true, sameSite: .strict)
    }

    private var lifetimeSeconds: Int { Int(dependencies.settings.sessionLifetime.components.seconds) }

    private func signInForm(
        binding: String, errors: [FieldError] = [], status: HTTPResponse.Status = .ok, cookies: [Cookie] = []
    ) throws(PageRefusal) -> Response {
        var values = FieldError.summary(errors)
        values["csrf"] = csrf.token(binding: binding, action: "/helpdesk/login")
        values["lifetime"] = Self.span(dependencies.settings.sessionLifetime)
        for error in errors {
            if let field = error.field { values["\(field)Error"] = error.message }
        }
        return try page("helpdesk-login", title: "Helpdesk sign-in", values, status: status, cookies: cookies)
    }
}

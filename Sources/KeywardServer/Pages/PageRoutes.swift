import Hummingbird
import Logging

/// The HTML pages people use, all plain forms that work without JavaScript:
///
/// - `GET|POST /set-password/TOKEN`: two-way initialization (the mailed link);
/// - `GET|POST /change`: the person changes their own password;
/// - `/helpdesk/login`, `/helpdesk`, `/helpdesk/initialize|reset|unlock`,
///   `/helpdesk/logout`: the helpdesk, signed in with an API token that has
///   the `helpdesk` scope;
/// - `/` (a short index) and `/static/style.css`.
///
/// Every form carries a CSRF token (``CSRFProtection``) and every post is
/// checked for its origin first (``CSRFOriginCheck``); every password or
/// token post takes an attempt from ``AttemptLimits``. Passwords go from the
/// body into ``GuardedString``s (``FormBody``) and are never put back into a
/// page, a URL or a log line.
struct PageRoutes {
    let dependencies: ServerDependencies
    /// Form tokens under this process's key.
    let csrf: CSRFProtection
    /// The origin check of form posts.
    let origins: CSRFOriginCheck
    /// The helpdesk's sessions.
    let sessions: SessionStore
    /// How a pasted helpdesk token is checked.
    let tokens: HelpdeskTokenLookup
    /// The templates, or why they are missing.
    let templates: Result<PageTemplates, PageTemplateError>

    /// The pages over `dependencies`, with the store's API tokens for the
    /// helpdesk sign-in.
    init(_ dependencies: ServerDependencies) {
        self.init(dependencies, tokens: HelpdeskTokenLookup(store: dependencies.store, now: dependencies.settings.now))
    }

    /// The pages with another token lookup.
    init(_ dependencies: ServerDependencies, tokens: HelpdeskTokenLookup) {
        self.dependencies = dependencies
        csrf = CSRFProtection(secureTransport: dependencies.settings.secureTransport)
        origins = CSRFOriginCheck(publicURL: dependencies.settings.publicURL)
        sessions = SessionStore(lifetime: dependencies.settings.sessionLifetime, now: dependencies.settings.now)
        self.tokens = tokens
        templates = PageTemplates.bundled
    }

    /// Adds the pages' routes to `router`.
    func register(on router: Router<KeywardRequestContext>) {
        router.get("/static/style.css") { _, _ in stylesheet() }
        router.get("/") { request, _ in await respond { try index(request) } }
        router.get("/set-password/:token") { request, context in await respond { try await showLink(request, context) } }
        router.post("/set-password/:token") { request, context in await respond { try await useLink(request, context) } }
        router.get("/change") { request, _ in await respond { try showChange(request) } }
        router.post("/change") { request, context in await respond { try await change(request, context) } }
        router.get("/helpdesk/login") { request, _ in await respond { try await showSignIn(request) } }
        router.post("/helpdesk/login") { request, context in await respond { try await signIn(request, context) } }
        router.post("/helpdesk/logout") { request, _ in await respond { try await signOut(request) } }
        router.get("/helpdesk") { request, _ in await respond { try await showHelpdesk(request) } }
        router.post("/helpdesk/:action") { request, context in
            await respond { try await helpdeskAction(request, context) }
        }
    }

    /// Runs a page's handler: a ``PageRefusal`` becomes its page, anything
    /// else a 500 page (logged by type only: errors here never carry a
    /// secret, but the log needs no detail a person could not act on).
    func respond(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let refusal as PageRefusal {
            return refusal.response
        } catch {
            dependencies.logger.error("a page failed: \(error)")
            return message(
                title: "Something went wrong", message: "Keyward could not finish this request.",
                advice: "Try again in a minute; if it keeps failing, contact your helpdesk.", status: .internalServerError)
        }
    }

    private func stylesheet() -> Response {
        switch templates {
        case .success(let templates):
            return Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: templates.stylesheet)))
        case .failure(let error):
            return PageResponse.text(error.message, status: .internalServerError)
        }
    }

    private func index(_ request: Request) throws(PageRefusal) -> Response {
        try page("index", title: "Keyward", [:])
    }
}

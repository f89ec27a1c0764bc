import Hummingbird

extension PageRoutes {
    /// A field's error, for the summary at the top of a form (linking to the
    /// field) and the message beside the field.
    struct FieldError {
        /// The field's id (nil: about the whole form).
        var field: String?
        /// What is wrong and what to do.
        var message: String

        /// The summary's entries.
        static func summary(_ errors: [FieldError]) -> [String: Any] {
            [
                "hasErrors": !errors.isEmpty,
                "errors": errors.map { error -> [String: Any] in
                    var entry: [String: Any] = ["message": error.message]
                    if let field = error.field { entry["field"] = field }
                    return entry
                },
            ]
        }
    }

    /// The page `name` with `values`, titled `title`.
    func page(
        _ name: String, title: String, _ values: [String: Any], status: HTTPResponse.Status = .ok, cookies: [Cookie] = []
    ) throws(PageRefusal) -> Response {
        let templates: PageTemplates
        switch self.templates {
        case .success(let loaded): templates = loaded
        case .failure(let error): throw PageRefusal(response: PageResponse.text(error.message, status: .internalServerError))
        }
        var all = values
        all["title"] = title
        guard let html = templates.render(name, all) else {
            throw PageRefusal(response: PageResponse.text("the page template \(name) is missing", status: .internalServerError))
        }
        return PageResponse.html(html, status: status, cookies: cookies)
    }

    /// A page that only says something: a refusal, a problem, what to do.
    func message(
        title: String, message: String, advice: String? = nil, status: HTTPResponse.Status,
        kind: String = "error", back: (href: String, text: String)? = nil
    ) -> Response {
        var values: [String: Any] = ["message": message, "kind": kind]
        if let advice { values["advice"] = advice }
        if let back { values["back"] = ["href": back.href, "text": back.text] }
        do {
            return try page("message", title: title, values, status: status)
        } catch {
            return error.response
        }
    }

    /// The binding of a form shown outside a session: the visitor's CSRF
    /// cookie, or a new one to set with the page.
    func formBinding(_ request: Request) -> (binding: String, cookie: Cookie?) {
        if let binding = csrf.cookieBinding(request) { return (binding, nil) }
        let binding = RandomToken.make()
        return (binding, csrf.bindingCookie(binding))
    }

    /// The 403 page of a post that failed the origin or token check.
    var forgedFormPage: Response {
        message(
            title: "This form expired",
            message: "This form expired or did not come from Keyward; reload the page and try again.",
            advice: "Nothing was changed.", status: .forbidden)
    }

    /// The body of a form post to `action`, once the post passed the checks:
    /// its origin, its type and size, and its CSRF token under `binding`.
    /// `secretFields` are decoded into guarded memory.
    func acceptForm(
        _ request: Request, action: String, binding: String?, secretFields: Set<String> = []
    ) async throws(PageRefusal) -> FormBody {
        guard origins.allows(request, secureTransport: dependencies.settings.secureTransport) else {
            throw PageRefusal(response: forgedFormPage)
        }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw PageRefusal(
                response: message(
                    title: "Not a form", message: "Keyward's pages accept form posts only.", status: .unsupportedMediaType))
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumFormSize)
        } catch {
            throw PageRefusal(
                response: message(title: "Form too large", message: "The form is larger than Keyward accepts.", status: .contentTooLarge))
        }
        let form = FormBody(&body, secretFields: secretFields)
        guard let binding, csrf.isValid(form[CSRFProtection.fieldName], binding: binding, action: action) else {
            throw PageRefusal(response: forgedFormPage)
        }
        return form
    }

    /// The largest form body read: the forms are a few fields.
    static var maximumFormSize: Int { 16 * 1024 }

    /// Takes a password or token attempt for the client and `account`;
    /// refuses with the 429 page when either is over its limit.
    func takeAttempt(_ context: KeywardRequestContext, account: String?) async throws(PageRefusal) {
        guard let wait = await dependencies.limits.attempt(client: context.clientAddress, account: account) else { return }
        var response = message(
            title: "Too many attempts",
            message: "There were too many attempts from here or for this account.",
            advice: "Wait \(wait) second\(wait == 1 ? "" : "s") and try again. Nothing was changed.",
            status: .tooManyRequests)
        response.headers[.retryAfter] = String(wait)
        throw PageRefusal(response: response)
    }
}

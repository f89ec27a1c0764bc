import CLDAP
// `struct timeval`/`timespec` belong to CDispatch's module map on Linux, so
// MemberImportVisibility wants that module imported to build them.
#if canImport(CDispatch)
import CDispatch
#endif
import KeywardCore

extension LDAPHandle {
    /// Adds an entry.
    func add(dn: String, attributes: [(String, [LDAPValue])]) throws(LDAPResultError) {
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            let entry = memory.modifications(attributes.map { (LDAP_MOD_ADD, $0.0, $0.1) })
            try perform("add \(dn)") { messageID in
                ldap_add_ext(pointer, dn, entry, serverControls, nil, messageID)
            }
        }
    }

    /// Modifies an entry in one request.
    func modify(dn: String, _ modifications: [LDAPModification]) throws(LDAPResultError) {
        let changes = modifications.map { modification in
            let operation: Int32 =
                switch modification.operation {
                case .add: LDAP_MOD_ADD
                case .delete: LDAP_MOD_DELETE
                case .replace: LDAP_MOD_REPLACE
                }
            return (operation, modification.attribute, modification.values)
        }
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            let request = memory.modifications(changes)
            try perform("modify \(dn)") { messageID in
                ldap_modify_ext(pointer, dn, request, serverControls, nil, messageID)
            }
        }
    }

    /// Deletes an entry.
    func delete(dn: String) throws(LDAPResultError) {
        try perform("delete \(dn)") { messageID in
            ldap_delete_ext(pointer, dn, serverControls, nil, messageID)
        }
    }

    /// RFC 3062 Password Modify for `dn`: a reset without `old`, a change with it.
    func passwordModify(dn: String, old: GuardedString?, new: GuardedString) throws(LDAPResultError) {
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            let user = memory.berval(.text(dn))
            let oldPassword = old.map { memory.berval(.secret($0)) }
            let newPassword = memory.berval(.secret(new))
            try perform("password modify of \(dn)") { messageID in
                ldap_passwd(pointer, user, oldPassword, newPassword, serverControls, nil, messageID)
            }
        }
    }

    /// Searches, reading every entry's values as text.
    func search(base: String, scope: LDAPScope, filter: String, attributes: [String]) throws(LDAPResultError)
        -> [LDAPEntry]
    {
        let scopeCode: Int32 =
            switch scope {
            case .base: LDAP_SCOPE_BASE
            case .one: LDAP_SCOPE_ONELEVEL
            case .sub: LDAP_SCOPE_SUBTREE
            }
        var entries: [LDAPEntry] = []
        try LDAPRequestMemory.with { memory throws(LDAPResultError) in
            let names = attributes.isEmpty ? nil : memory.cStrings(attributes)
            try perform("search \(base)", entries: { message in entries = self.entries(in: message) }) { messageID in
                ldap_search_ext(pointer, base, scopeCode, filter, names, 0, serverControls, nil, nil, 0, messageID)
            }
        }
        return entries
    }

    /// Starts an operation with `start` (which stores its message ID), waits
    /// for its result up to the timeout, and throws unless it is success.
    /// `entries` sees the whole message chain first (a search's entries).
    /// The ppolicy response control, when present, is decoded into the error.
    func perform(
        _ context: String,
        entries: ((OpaquePointer) -> Void)? = nil,
        start: (UnsafeMutablePointer<Int32>) -> Int32
    ) throws(LDAPResultError) {
        var messageID: Int32 = -1
        let code = start(&messageID)
        guard code == LDAP_SUCCESS else { throw failure(code, context) }

        var timeout = timeval()
        timeout.tv_sec = timeoutSeconds
        var message: OpaquePointer?
        switch ldap_result(pointer, messageID, LDAP_MSG_ALL, &timeout, &message) {
        case -1:
            throw failure(resultCode, context)
        case 0:
            ldap_abandon_ext(pointer, messageID, nil, nil)
            throw LDAPResultError(
                code: LDAP_TIMEOUT, diagnostic: "no answer within \(timeoutSeconds) s", context: context)
        default:
            break
        }
        guard let message else { throw failure(resultCode, context) }
        defer { ldap_msgfree(message) }
        entries?(message)
        try check(message, context)
    }

    /// Throws unless the result in `message` is success.
    private func check(_ message: OpaquePointer, _ context: String) throws(LDAPResultError) {
        var code: Int32 = LDAP_OTHER
        var diagnostic: UnsafeMutablePointer<CChar>?
        var controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
        let parsed = ldap_parse_result(pointer, message, &code, nil, &diagnostic, nil, &controls, 0)
        defer {
            if let diagnostic { ldap_memfree(diagnostic) }
            if let controls { ldap_controls_free(controls) }
        }
        guard parsed == LDAP_SUCCESS else { throw failure(parsed, context) }
        guard code != LDAP_SUCCESS else { return }
        throw LDAPResultError(
            code: code,
            diagnostic: diagnostic.map { LDAPDiagnostic.clean(String(cString: $0)) }
                ?? LDAPDiagnostic.clean(String(cString: ldap_err2string(code))),
            policyError: policyError(in: controls),
            context: context)
    }

    /// The error of the ppolicy response control among `controls`, if any.
    private func policyError(in controls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?)
        -> PasswordPolicyError?
    {
        guard let controls,
            let control = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE, controls, nil)
        else { return nil }
        var expire: ber_int_t = -1
        var grace: ber_int_t = -1
        var error = PP_noError
        guard ldap_parse_passwordpolicy_control(pointer, control, &expire, &grace, &error) == LDAP_SUCCESS else {
            return nil
        }
        return PasswordPolicyError(rawValue: Int(error.rawValue))
    }

    /// The entries of a search result chain, values decoded as UTF-8.
    private func entries(in chain: OpaquePointer) -> [LDAPEntry] {
        var entries: [LDAPEntry] = []
        var entry = ldap_first_entry(pointer, chain)
        while let current = entry {
            defer { entry = ldap_next_entry(pointer, current) }
            guard let dnPointer = ldap_get_dn(pointer, current) else { continue }
            let dn = String(cString: dnPointer)
            ldap_memfree(dnPointer)
            var attributes: [String: [String]] = [:]
            var cursor: OpaquePointer?
            var name = ldap_first_attribute(pointer, current, &cursor)
            while let attribute = name {
                attributes[String(cString: attribute)] = values(of: attribute, in: current)
                ldap_memfree(attribute)
                name = ldap_next_attribute(pointer, current, cursor)
            }
            if let cursor { ber_free(cursor, 0) }
            entries.append(LDAPEntry(dn: dn, attributes: attributes))
        }
        return entries
    }

    private func values(of attribute: UnsafeMutablePointer<CChar>, in entry: OpaquePointer) -> [String] {
        guard let values = ldap_get_values_len(pointer, entry, attribute) else { return [] }
        defer { ldap_value_free_len(values) }
        var texts: [String] = []
        var index = 0
        while let value = values[index] {
            let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
            texts.append(String(decoding: bytes, as: UTF8.self))
            index += 1
        }
        return texts
    }
}

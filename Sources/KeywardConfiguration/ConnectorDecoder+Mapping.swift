import Foundation
import KeywardCore
import Yams

/// A mapped attribute with the YAML it came from, for checks that point back at it.
struct DecodedAttribute {
    let mapping: AttributeMapping
    let value: YAMLValue
}

extension ConnectorDecoder {
    static let attributeKeys = ["name", "source", "constant", "uid", "password", "transform", "allowReveal"]

    /// The identity fields an attribute's `source` may name (besides `attributes.NAME`).
    static let identitySources = ["username", "givenName", "familyName", "email", "managerEmail"]

    /// Decodes `mapping:`: the object class and the attributes, with the
    /// rules of the seeds (one uid, password attributes flagged and transformed).
    func decodeMapping(_ value: YAMLValue) -> (String, [DecodedAttribute]) {
        guard let reader = value.mapping(diagnostics, what: "a mapping with `objectClass` and `attributes`", known: ["objectClass", "attributes"])
        else { return ("__ACCOUNT__", []) }
        let objectClass = reader["objectClass"].flatMap { $0.string(diagnostics, what: "an object class name") } ?? "__ACCOUNT__"
        guard let listValue = reader.required("attributes", diagnostics),
            let elements = listValue.list(diagnostics, of: "attributes (each `{ name: …, source: … }`)")
        else { return (objectClass, []) }
        guard !elements.isEmpty else {
            diagnostics.error(
                .mappingRule, "`mapping.attributes` is empty; map at least the uid attribute and `__PASSWORD__`",
                at: listValue.location)
            return (objectClass, [])
        }
        var attributes: [DecodedAttribute] = []
        for element in elements {
            if let attribute = decodeAttribute(element) {
                attributes.append(attribute)
            }
        }
        checkNamesAndUID(attributes, list: listValue, complete: attributes.count == elements.count)
        return (objectClass, attributes)
    }

    private func decodeAttribute(_ value: YAMLValue) -> DecodedAttribute? {
        guard let reader = value.mapping(diagnostics, what: "an attribute mapping (`{ name: …, source: … }`)", known: Self.attributeKeys),
            let nameValue = reader.required("name", diagnostics),
            let name = nameValue.string(diagnostics, what: "an attribute name")
        else { return nil }
        guard !name.isEmpty else {
            diagnostics.error(.invalidValue, "\(nameValue.quotedPath) is empty; give the attribute's name on the system", at: nameValue.location)
            return nil
        }
        let isUID = reader["uid"].flatMap { $0.bool(diagnostics) } ?? false
        let passwordFlag = reader["password"].flatMap { $0.bool(diagnostics) }
        let transform = reader["transform"].flatMap { $0.string(diagnostics, what: "a script path") }
        let allowReveal = reader["allowReveal"].flatMap { $0.bool(diagnostics) } ?? false
        let source = decodeSource(reader)
        let isMainPassword = name == AttributeSchema.passwordName
        if isMainPassword, passwordFlag != true, !(reader["password"].map { $0.node.bool == nil } ?? false) {
            diagnostics.error(
                .passwordFlagMissing,
                "`__PASSWORD__` must be flagged `password: true`; a configuration written before the flag existed "
                    + "is upgraded by running `keyward config migrate`",
                at: (reader["password"] ?? nameValue).location)
        }
        let isPassword = passwordFlag ?? false || isMainPassword
        if isPassword {
            checkPasswordAttribute(name, reader: reader, isUID: isUID, transform: transform, at: value)
        } else {
            checkPlainAttribute(name, reader: reader, at: value)
        }
        if let transform, let location = reader["transform"] {
            checkScriptPath(transform, at: location)
        }
        return DecodedAttribute(
            mapping: AttributeMapping(
                name: name, source: source ?? .none, isUID: isUID, isPassword: isPassword, transform: transform,
                allowReveal: allowReveal, location: value.location),
            value: value)
    }

    /// `source:` (an identity field) or `constant:`; nil when neither (or either is wrong).
    private func decodeSource(_ reader: MappingReader) -> AttributeSource? {
        if let value = reader["source"], let source = value.string(diagnostics, what: "an identity field name") {
            if Self.identitySources.contains(source) { return .identity(source) }
            if source.hasPrefix("attributes."), source.count > "attributes.".count { return .identity(source) }
            diagnostics.error(
                .invalidValue,
                "`source` `\(source)` is not an identity field\(NameSuggestion.hint(for: source, among: Self.identitySources)); "
                    + "the fields are \(NameSuggestion.list(Self.identitySources + ["attributes.NAME"]))",
                at: value.location)
            return nil
        }
        if let value = reader["constant"], let constant = value.scalarText(diagnostics, what: "a constant value") {
            return .constant(constant)
        }
        return nil
    }

    private func checkPasswordAttribute(
        _ name: String, reader: MappingReader, isUID: Bool, transform: String?, at value: YAMLValue
    ) {
        for key in ["source", "constant"] where reader.has(key) {
            diagnostics.error(
                .mappingRule,
                "password attribute `\(name)` takes the request's password; remove `\(key)` (a password never comes from the identity or a constant)",
                at: reader.keyLocation(key))
        }
        if isUID {
            diagnostics.error(.mappingRule, "password attribute `\(name)` cannot be the uid; flag another attribute `uid: true`", at: reader.keyLocation("uid"))
        }
        if transform == nil, !reader.has("transform") {
            diagnostics.error(
                .mappingRule,
                "password attribute `\(name)` has no `transform` script; every password attribute is transformed before "
                    + "provisioning: add `transform: scripts/NAME.lua` (a script that returns `attributeValue` passes it on as is)",
                at: value.location)
        }
    }

    private func checkPlainAttribute(_ name: String, reader: MappingReader, at value: YAMLValue) {
        for key in ["transform", "allowReveal"] where reader.has(key) {
            diagnostics.error(
                .mappingRule,
                "`\(key)` applies to password attributes only; flag `\(name)` `password: true`, or remove `\(key)`",
                at: reader.keyLocation(key))
        }
        if reader.has("source"), reader.has("constant") {
            diagnostics.error(.mappingRule, "attribute `\(name)` has both `source` and `constant`; keep one", at: reader.keyLocation("constant"))
        } else if !reader.has("source"), !reader.has("constant") {
            diagnostics.error(
                .mappingRule,
                "attribute `\(name)` has no value: give `source` (an identity field such as `username`) or `constant`, "
                    + "or flag it `password: true`",
                at: value.location)
        }
    }

    /// Reports a script path that is not a file, relative to `keyward.yaml`'s folder.
    func checkScriptPath(_ path: String, at value: YAMLValue) {
        var isFolder: ObjCBool = false
        let full = ConfigurationPaths.join(directory, path)
        if !FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) || isFolder.boolValue {
            diagnostics.error(
                .fileNotFound,
                "script `\(path)` \(isFolder.boolValue ? "is a folder, not a file" : "does not exist") "
                    + "(script paths are relative to the folder of keyward.yaml)",
                at: value.location)
        }
    }

    private func checkNamesAndUID(_ attributes: [DecodedAttribute], list: YAMLValue, complete: Bool) {
        var firstByName: [String: DecodedAttribute] = [:]
        var uid: DecodedAttribute?
        for attribute in attributes {
            let name = attribute.mapping.name
            if let first = firstByName[name] {
                diagnostics.error(
                    .duplicateName, "attribute `\(name)` is mapped twice (first at line \(first.value.location.line)); keep one",
                    at: attribute.value.location)
            } else {
                firstByName[name] = attribute
            }
            if attribute.mapping.isUID {
                if let uid {
                    diagnostics.error(
                        .mappingRule,
                        "attribute `\(name)` is flagged `uid`, but `\(uid.mapping.name)` already is (line \(uid.value.location.line)); "
                            + "exactly one attribute carries the account's uid",
                        at: attribute.value.location)
                } else {
                    uid = attribute
                }
            }
        }
        if uid == nil, complete {
            diagnostics.error(
                .mappingRule,
                "no attribute is flagged `uid: true`; one attribute must carry the account's uid (e.g. `{ name: uid, source: username, uid: true }`)",
                at: list.location)
        }
    }
}

import Foundation
import Hummingbird

/// The desk's languages: Chinese (zh-CN) by default, English on request.
///
/// Why a choice per request: the bureau's PCs run Chinese browsers; a visitor from the province
/// or a developer reads English. `?lang=en` (or `zh`) switches and is remembered in a cookie;
/// otherwise a browser whose first language is English gets English.
public enum DeskLanguage: String, Sendable, CaseIterable {
    case zh, en

    /// The cookie that remembers a switch.
    static let cookie = "hearth_desk_lang"

    /// The `lang` attribute of the page.
    var htmlTag: String { self == .zh ? "zh-CN" : "en" }

    /// The language's labels (DeskLabels+zh.swift, DeskLabels+en.swift).
    public var labels: [String: String] { self == .zh ? DeskLabels.zh : DeskLabels.en }

    var other: DeskLanguage { self == .zh ? .en : .zh }

    /// The language of a request: `?lang=`, then the cookie, then the first of `Accept-Language`.
    /// Returns whether the query chose it (the cookie is then set).
    static func of(_ request: Request, query: FormFields) -> (language: DeskLanguage, chosen: Bool) {
        if let asked = query["lang"].flatMap(DeskLanguage.init(rawValue:)) { return (asked, true) }
        if let kept = request.cookies[cookie]?.value, let language = DeskLanguage(rawValue: kept) {
            return (language, false)
        }
        let accept = request.headers[.acceptLanguage] ?? ""
        let first = accept.split(separator: ",").first.flatMap { $0.split(separator: ";").first } ?? ""
        let tag = first.trimmingCharacters(in: .whitespaces).lowercased()
        return (tag == "en" || tag.hasPrefix("en-") ? .en : .zh, false)
    }
}

/// One language's labels, and messages with their `{name}` parts filled in.
struct Catalogue: Sendable {
    let language: DeskLanguage
    let labels: [String: String]

    init(_ language: DeskLanguage) {
        self.language = language
        labels = language.labels
    }

    /// The label of a key; a key missing from the catalogue shows as itself (and fails the
    /// catalogue test, DeskCatalogueTests).
    subscript(key: String) -> String { labels[key] ?? key }

    /// A message with each `{name}` replaced by its value.
    func format(_ key: String, _ values: [String: String]) -> String {
        var text = self[key]
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// The rule's title and why it could not decide, in this language; the rule's own English
    /// text when the catalogue has none for it.
    func rule(title: String, reason: String) -> (title: String, reason: String) {
        (labels[Self.titleKey(title)] ?? title, labels[Self.reasonKey(reason)] ?? reason)
    }

    /// `rule_` and the title's words: `identity field` → `rule_identity_field`.
    static func titleKey(_ title: String) -> String { "rule_" + words(title, count: 8) }

    /// `why_` and the reason's first five words: `the sets were united` → `why_the_sets_were_united`.
    static func reasonKey(_ reason: String) -> String { "why_" + words(reason, count: 5) }

    private static func words(_ text: String, count: Int) -> String {
        text.lowercased().split { !$0.isLetter }.prefix(count).joined(separator: "_")
    }
}

extension DeskLanguage {
    /// A rule's title and why it could not decide, in this language: the command line's
    /// `hearth hub conflicts` shows the same words as the desk, from the desk's catalogue.
    public func rule(title: String, reason: String) -> (title: String, reason: String) {
        Catalogue(self).rule(title: title, reason: reason)
    }
}

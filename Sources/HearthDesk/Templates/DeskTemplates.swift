import Mustache

/// The desk's pages as swift-mustache templates, compiled into the binary.
///
/// Why Swift constants rather than resource files: the release binary runs from any directory
/// and is copied alone to the county's server; a template it must find on disk would be one
/// more thing to lose. Every page extends ``layout``; values are HTML-escaped by the template
/// engine (`{{name}}`), and no template uses the unescaped forms.
enum DeskTemplates {
    /// Every template by the name a page renders it with.
    static let sources: [String: String] = [
        "layout": layout, "error": error, "login": login, "overview": overview, "conflicts": conflicts,
        "conflict": conflict, "bulk": bulk, "quarantine": quarantine, "report": report, "roll": roll,
        "roll_facts": rollFacts,
        "lock": lock, "cases": cases, "case": ruleCase, "leads": leads, "audit": audit,
    ]

    /// The compiled templates. The sources are constants checked by the desk's tests
    /// (DeskTemplateTests), so a failure to compile one is a defect of this file, not of input.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, source) in sources {
            do { try library.register(source, named: name) } catch {
                preconditionFailure("desk template \(name) does not compile: \(error)")
            }
        }
        return library
    }()
}

import ArgumentParser

/// The flags every spreadsheet import shares (`hub import-roster`, `hub crosscheck import`).
struct ImportOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: .text("opt.import.dry_run"))
    var dryRun = false
    @Flag(
        name: .customLong("skip-invalid"),
        help: .text("opt.import.skip_invalid"))
    var skipInvalid = false
    @Flag(help: .text("opt.json")) var json = false
}

import ArgumentParser

/// The flags every spreadsheet import shares (`hub import-roster`, `hub crosscheck import`).
struct ImportOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Check the file and say what would be imported; change nothing.")
    var dryRun = false
    @Flag(
        name: .customLong("skip-invalid"),
        help: "Import the good rows and write the bad ones beside the file, instead of importing nothing.")
    var skipInvalid = false
    @Flag(help: .text("opt.json")) var json = false
}

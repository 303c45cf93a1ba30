import ArgumentParser
@main struct Hearth: ParsableCommand { func run() {} }

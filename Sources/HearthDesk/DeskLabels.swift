/// The desk's labels, one catalogue per language (DeskLabels+zh.swift, DeskLabels+en.swift):
/// every word a page shows comes from here, so a translation is one file and a missing key
/// fails a test (DeskCatalogueTests) rather than showing a key to a person.
enum DeskLabels {}

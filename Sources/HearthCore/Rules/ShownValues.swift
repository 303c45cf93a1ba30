/// What a record shows, read the way the hub's tables hold it: each field's shown value
/// (``Resolution/value``), references compared as the text they are stored as, and a missing
/// value matching nothing (SQL's `NULL`). The rules read states through these, so that their
/// verdicts over values are those of the SQL they replace.
extension RecordState {
    /// The field's shown text; nil when it shows none.
    func text(_ field: String) -> String? {
        resolution(of: field).value.textValue
    }

    /// The field's shown integer; nil when it shows none.
    func integer(_ field: String) -> Int64? {
        resolution(of: field).value.integerValue
    }

    /// The record a reference field names, when its text is an id as ids are written (a
    /// table joins on the text: `m-…` names no `M-…` row there).
    func reference(_ field: String) -> RecordID? {
        guard let text = text(field), let id = RecordID(text), id.value == text else { return nil }
        return id
    }

    /// Whether the field shows exactly this text (a missing value never does).
    func shows(_ field: String, _ value: String) -> Bool {
        text(field) == value
    }

    /// Whether the field shows a text other than this one: a missing value does not (as
    /// `column != 'value'` reads in SQL).
    func showsOther(_ field: String, than value: String) -> Bool {
        text(field).map { $0 != value } ?? false
    }

    /// An enrollment counted as live: its status shows a value other than `exited`. One with
    /// no status shown is not counted.
    var isLiveEnrollment: Bool { showsOther("status", than: "exited") }

    /// The keyed hash of the ID number the member shows; nil when it shows none.
    var idHash: String? {
        if case .sealed(let sealed) = resolution(of: "id_number").value { return sealed.digest }
        return nil
    }
}

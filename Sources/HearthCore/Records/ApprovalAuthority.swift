/// Who may approve or reject an enrollment in each program (docs/rules.md R7), as data.
///
/// By default townships approve (审核确认权限下放到乡镇) and the county may overrule; an
/// approval written on a village node is a recommendation only. A county that keeps a
/// program's approvals for itself changes its row here.
public enum ApprovalAuthority {
    public static let table: [Program: ScopePrefix.Level] = Dictionary(
        uniqueKeysWithValues: Program.allCases.map { ($0, ScopePrefix.Level.township) })

    /// The least rank whose approval or rejection counts for the program.
    public static func approver(for program: Program) -> ScopePrefix.Level {
        table[program] ?? .township
    }
}

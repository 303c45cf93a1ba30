/// A person's sex as recorded on the resident identity card.
///
/// It exists because the ID number encodes it (17th digit odd = male) and eligibility
/// rules such as retirement age differ by it.
public enum Sex: String, Hashable, Sendable, Codable, CaseIterable {
    case male
    case female
}

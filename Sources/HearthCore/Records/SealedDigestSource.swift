/// Recomputes a sealed value's keyed hash (`hmac`) from its box, with the county's data key.
///
/// Why: the `hmac` is a function of the sealed clear text, so a receiver holding the key
/// can derive it, and a message need not carry it (32 incompressible bytes per ID or card
/// number: a third of a member's op on the wire, Protocol/sync.md, Ops in a message). The
/// key lives in the store (``KeyMaterial`` in HearthStore); the message code only asks.
public protocol SealedDigestSource {
    /// The lower-case hex `hmac` of the value sealed in `box`; nil when the box does not
    /// open under this key (not base64, not AES-GCM, or sealed under another key).
    func digest(ofBox box: String) -> String?
}

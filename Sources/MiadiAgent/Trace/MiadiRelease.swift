/// The Miadi version written into traces, results and `miadi --version`: one place, so a
/// trace always says which build made it.
public enum MiadiRelease {
    public static let version = "0.3.0"
}

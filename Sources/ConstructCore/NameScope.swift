/// A stack's claim on a name prefix: every name it creates starts with `names`, and (when it
/// grants by pattern) its build may change anything named `grants*`. Stacks record both as
/// outputs, so the engine can refuse a deploy where one stack's pattern would reach another
/// stack's names — in either order of deploying them.
public enum NameScope {
    public static let metadataType = "tsdeploy:name-scope"
    public static let namesOutput = "TsdeployNamePrefix"
    public static let grantsOutput = "TsdeployGrantPrefix"

    /// Whether some name starting with `names` may match the pattern `grants*`.
    public static func overlaps(names: String, grants: String) -> Bool {
        names.hasPrefix(grants) || grants.hasPrefix(names)
    }
}

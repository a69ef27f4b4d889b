namespace DocEngine.Core.Access;

/// <summary>What an applicant token allows on its one application.</summary>
[Flags]
public enum AccessPermissions
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Create uploads in the application, append to, complete, check and cancel them.</summary>
    Upload = 1,
    /// <summary>Read the application, its documents' bytes, previews, processing results, signature reports, receipts and timeline.</summary>
    Read = 2,
    /// <summary>Both: what a portal page needs.</summary>
    All = Upload | Read,
}

/// <summary>The permissions' names as tokens and the CLI spell them: "upload", "read".</summary>
public static class AccessPermissionNames
{
    /// <summary>The names of <paramref name="permissions"/>, separated by spaces (an OAuth scope), e.g. "upload read".</summary>
    public static string Format(AccessPermissions permissions) => string.Join(' ', Names(permissions));

    /// <summary>Each permission's name, in a fixed order.</summary>
    public static IEnumerable<string> Names(AccessPermissions permissions)
    {
        if (permissions.HasFlag(AccessPermissions.Upload))
        {
            yield return "upload";
        }
        if (permissions.HasFlag(AccessPermissions.Read))
        {
            yield return "read";
        }
    }

    /// <summary>Parses names separated by spaces or commas; false when one is unknown.</summary>
    public static bool TryParse(string text, out AccessPermissions permissions)
    {
        permissions = AccessPermissions.None;
        foreach (var name in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (name.ToLowerInvariant())
            {
                case "upload":
                    permissions |= AccessPermissions.Upload;
                    break;
                case "read":
                    permissions |= AccessPermissions.Read;
                    break;
                default:
                    return false;
            }
        }
        return true;
    }
}

namespace MiDpg.Research.Platform;

/// <summary>Finds the repository's folders (notebooks/, environment/, data/) from wherever we run.</summary>
public static class RepositoryPaths
{
    const string Marker = "MiDpg.Research.csproj";

    /// <summary>The folder holding MiDpg.Research.csproj, searched upward from the working directory and from the binaries.</summary>
    public static string Root()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, Marker)))
                    return dir.FullName;
        throw new DirectoryNotFoundException(
            $"Could not find {Marker} above '{Environment.CurrentDirectory}' or '{AppContext.BaseDirectory}'; run from inside the repository.");
    }

    public static string Notebooks => Path.Combine(Root(), "notebooks");
    public static string EnvironmentFolder => Path.Combine(Root(), "environment");
    public static string Data => Path.Combine(Root(), "data");
}

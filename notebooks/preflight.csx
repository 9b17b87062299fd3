// Preflight, `#load`-ed in its own cell before the library is loaded: is MiDpg.Research.dll built, and built after
// the sources last changed? A missing DLL would otherwise fail the loading cell's `#r` with a bare compiler error, and a
// stale one (after a `git pull`) would silently run old code. The kernel runs in the notebook's folder (notebooks/).
{
    var repository = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Directory.GetCurrentDirectory(), ".."));
    var library = System.IO.Path.Combine(repository, "bin", "Release", "net10.0", "MiDpg.Research.dll");
    if (!System.IO.File.Exists(library))
        throw new System.InvalidOperationException(
            $"The library is not built ({library} is missing). In {repository} run `bash environment/setup.sh` " +
            "(or `dotnet build -c Release`), then restart the kernel and run the notebook again.");
    var built = System.IO.File.GetLastWriteTimeUtc(library);
    var sources = System.IO.Directory.Exists(System.IO.Path.Combine(repository, "lib"))
        ? System.IO.Directory.EnumerateFiles(System.IO.Path.Combine(repository, "lib"), "*.cs", System.IO.SearchOption.AllDirectories)
        : System.Linq.Enumerable.Empty<string>();
    var newest = System.Linq.Enumerable.FirstOrDefault(System.Linq.Enumerable.OrderByDescending(
        System.Linq.Enumerable.Append(sources, System.IO.Path.Combine(repository, "MiDpg.Research.csproj")), System.IO.File.GetLastWriteTimeUtc));
    if (newest is not null && System.IO.File.Exists(newest) && System.IO.File.GetLastWriteTimeUtc(newest) > built)
        throw new System.InvalidOperationException(
            $"The library is older than its sources: {System.IO.Path.GetRelativePath(repository, newest)} changed at " +
            $"{System.IO.File.GetLastWriteTimeUtc(newest):u}, the library was built at {built:u}. In {repository} run " +
            "`dotnet build -c Release`, then restart the kernel and run the notebook again.");
}

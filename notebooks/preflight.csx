// Preflight, `#load`-ed in its own cell before the library is loaded. First: is MiDpg.Research.dll built, and built after
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

// Quiet cells. The C# kernel compiles every cell at warning level 4 and offers no way to suppress single warnings, so
// each cell that touches TorchSharp or the kernel's own types prints CS1701/CS1702 ("assuming assembly reference ...
// matches identity ..."): version-unification notices about the kernel's and TorchSharp's dependencies, which MSBuild
// suppresses in every project by default. Level 1 hides them (and the other level-2+ notices such as an unused
// variable); errors are always shown. Done by reflection on the pinned kernel (1.0.712001); if a kernel lacks the
// field, the cells simply stay noisy.
{
    var csharp = Microsoft.DotNet.Interactive.KernelInvocationContext.Current?.HandlingKernel;
    var field = csharp?.GetType().GetField("_scriptOptions", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
    var options = field?.GetValue(csharp);
    var withLevel = options?.GetType().GetMethod("WithWarningLevel", new[] { typeof(int) });
    if (withLevel is not null) field!.SetValue(csharp, withLevel.Invoke(options, new object[] { 1 }));
}

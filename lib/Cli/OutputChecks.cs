using System.Text.RegularExpressions;

namespace MiDpg.Research.Cli;

/// <summary>
/// Checks on where a command will write, made before anything trains: a folder that cannot be created or written to is an
/// error naming the option at once, not after an hour of training; an experiment name is one plain folder name, never a path.
/// </summary>
static partial class OutputChecks
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex PlainName();

    /// <summary>Null when <paramref name="name"/> is a plain name (letters, digits, '-' and '_'), else the error for <paramref name="option"/>.</summary>
    public static string? NameProblem(string option, string? name) =>
        name is null || PlainName().IsMatch(name) ? null
            : $"{option} '{name}' must be a plain name of letters, digits, '-' and '_' (no path separators, no dots): it names a folder inside the results store.";

    /// <summary>Creates <paramref name="folder"/> when needed and proves it writable with a probe file; otherwise a <see cref="CliError"/> naming the option.</summary>
    public static void RequireWritableFolder(string option, string folder)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new CliError($"{option} {folder}: {full} is a file, not a folder.");
        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliError($"{option} {folder}: cannot write to {full} ({e.Message}).");
        }
    }
}

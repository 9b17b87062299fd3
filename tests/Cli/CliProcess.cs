using System.Diagnostics;

namespace MiDpg.Research.Tests.Cli;

/// <summary>The built CLI run as a user runs it: a child process, its exit code and its output (stdout then stderr).</summary>
static class CliProcess
{
    public static (int Code, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(MiDpg.Research.Cli.InfoCommand).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["COLUMNS"] = "240";
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }

    /// <summary>The output with every run of white space made one space: the console wraps long lines.</summary>
    public static string Flat(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");
}

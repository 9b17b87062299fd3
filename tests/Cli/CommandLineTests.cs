using System.Diagnostics;

namespace MiDpg.Research.Tests.Cli;

/// <summary>The command line as a user runs it: a child process of the built CLI.</summary>
public class CommandLineTests
{
    static (int Code, string Output) Run(params string[] args) => CliProcess.Run(args);

    [Theory]
    [InlineData("train")]
    [InlineData("experiment")]
    [InlineData("sweep")]
    [InlineData("report")]
    [InlineData("main")]
    [InlineData("notebooks")]
    [InlineData("golden")]
    [InlineData("reproduce")]
    public void EveryCommandHasHelp(string command)
    {
        var (code, output) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("OPTIONS:", output);
    }

    [Fact]
    public void UnknownModelIsAClearErrorListingTheKnownOnes()
    {
        var (code, output) = Run("experiment", "--models", "dnn,nope", "--quick");
        Assert.Equal(2, code);
        Assert.Contains("unknown model(s) nope", output);
        Assert.Contains("midpg-r", output);
    }

    [Theory]
    [InlineData("--trials", "0", "--trials must be at least 1")]
    [InlineData("--lr", "-1", "--lr must be positive")]
    [InlineData("--hidden", "128,x", "--hidden '128,x' must be a comma-separated list of positive integers")]
    [InlineData("--data", "synthetic,colour=red", "Unknown option(s) colour")]
    [InlineData("--tune-budget", "0", "--tune-budget must be at least 1")]
    [InlineData("--search", "bayes", "--search 'bayes' must be random or grid")]
    public void BadArgumentsAreClearErrors(string option, string value, string message)
    {
        var (code, output) = Run("experiment", "--models", "dnn", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public void CtrlCStopsAnExperimentKeepingWhatFinishedAndSaysHowToResume()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-ctrlc-").FullName;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(typeof(MiDpg.Research.Cli.InfoCommand).Assembly.Location);
        foreach (var a in new[] { "experiment", "--models", "dnn", "--trials", "3", "--epochs", "10", "--threads", "1",
                     "--data", "synthetic,rows=60000", "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "report") })
            info.ArgumentList.Add(a);
        info.Environment["COLUMNS"] = "200";
        using var p = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        var firstTrialDone = new ManualResetEventSlim();
        p.OutputDataReceived += (_, e) => { if (e.Data is null) return; lock (output) output.AppendLine(e.Data); if (e.Data.Contains("trial 1 of 3")) firstTrialDone.Set(); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is null) return; lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Assert.True(firstTrialDone.Wait(TimeSpan.FromMinutes(5)), output.ToString());
        Process.Start("kill", ["-INT", p.Id.ToString()])!.WaitForExit();   // what Ctrl+C sends
        Assert.True(p.WaitForExit(60_000), "the run did not stop within a minute of Ctrl+C");
        p.WaitForExit();
        var text = output.ToString();
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("run the same command again to resume", text);
        Assert.DoesNotContain("   at ", text);   // no stack trace
        var trials = Directory.GetFiles(Path.Combine(dir, "runs"), "trial-*.csv", SearchOption.AllDirectories);
        Assert.NotEmpty(trials);                  // the finished trial is kept
        Assert.True(trials.Length < 3, text);     // and the run did stop
    }

    [Fact]
    public void AnUnknownNotebookParameterIsAClearErrorBeforeAnythingRuns()
    {
        var (code, output) = Run("notebooks", "00", "--param", "epochs=3", "--out", Directory.CreateTempSubdirectory("midpg-nbp-").FullName);
        Assert.NotEqual(0, code);
        Assert.Contains("00-setup.ipynb has no parameter 'epochs'; its parameters: quick, points", output);
        Assert.DoesNotContain("   at ", output);   // no stack trace
    }

    [Fact]
    public void ATunedExperimentRecordsItsChoicesAndReportsThemPerScenarioAndForTheMir()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-tuned-").FullName;
        var (code, output) = Run("experiment", "--quick", "--tune", "--tune-budget", "2", "--trials", "2", "--epochs", "1", "--threads", "1",
            "--models", "dnn,dpg-r,midpg-r", "--data", "synthetic,rows=2000,users=100,items=50", "--hidden", "16,8",
            "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "report"));
        Assert.True(code == 0, output);
        var flat = System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");   // the console wraps long lines
        Assert.Contains("tuned first (2 configuration(s) per model", flat);
        Assert.Contains("6 tuning candidate(s) trained", flat);
        var report = File.ReadAllText(Path.Combine(dir, "report", "table1-quick.md"));
        Assert.Contains("## Hyperparameters chosen on validation", report);
        Assert.Contains("| MI-DPG (R) | lr=", report);
        Assert.Contains("## MI-DPG against DPG", report);
        Assert.Contains("## Per scenario", report);
        Assert.StartsWith("dataset,scenario,model,", File.ReadAllText(Path.Combine(dir, "report", "table1-quick-scenarios.csv")));
        Assert.True(File.Exists(Path.Combine(dir, "runs", "table1-quick", "synthetic-2k-u100-i50", "midpg-r", "tuning", "chosen.json")), output);
    }

    /// <summary>A one-epoch quick sweep on tiny data into a fresh folder: exit code, output, report text, output folder.</summary>
    static (int Code, string Output, string Report, string OutDir) Sweep(params string[] grid)
    {
        var dir = Directory.CreateTempSubdirectory("midpg-sweep-").FullName;
        var outDir = Path.Combine(dir, "output");
        var (code, output) = Run(["sweep", "--quick", "--data", "synthetic,rows=2000,users=100,items=50", "--epochs", "1",
            "--hidden", "16,8", "--ranks", "1", "--row-divisors", "2", .. grid, "--runs", Path.Combine(dir, "runs"), "--out", outDir]);
        var report = Path.Combine(outDir, "report", "sweep-quick.md");
        return (code, output, File.Exists(report) ? File.ReadAllText(report) : "", outDir);
    }

    [Fact]
    public void ASweepTrainsItsPointsTheReferenceAndApgAndWritesItsReportAndFigure()
    {
        var (code, output, report, outDir) = Sweep("--variants", "r", "--column-divisors", "1,2");
        Assert.True(code == 0, output);
        Assert.Contains("2 DWM point(s)", output);
        Assert.Contains("DPG (R) k1 r2 c1", report);
        Assert.Contains("DPG (R) k1 r2 c2", report);
        Assert.Contains("DPG (Non)", report);
        Assert.Contains("APG k", report);
        Assert.True(File.Exists(Path.Combine(outDir, "figures", "sweep-quick.html")), output);
    }

    [Fact]
    public void ASweepWithoutApgOrReferenceReportsThatItHasNoBaseline()
    {
        var (code, output, report, _) = Sweep("--variants", "c", "--column-divisors", "2", "--no-apg", "--no-non");
        Assert.True(code == 0, output);
        Assert.Contains("no baseline", output);
        Assert.Contains("No baseline in this experiment, so no t-test.", report);
        Assert.Contains("DPG (C) k1 r2 c2", report);
        Assert.DoesNotContain("APG", report);
    }

    [Fact]
    public void ReportOfAnUnknownExperimentSaysWhatToRun()
    {
        var runs = Directory.CreateTempSubdirectory("midpg-runs-").FullName;
        var (code, output) = Run("report", "--name", "never-run", "--runs", runs);
        Assert.Equal(2, code);
        Assert.Contains("No results for experiment 'never-run'", output);
    }
}

using System.Diagnostics;
using MiDpg.Research.Tests.Data;

namespace MiDpg.Research.Tests.Cli;

/// <summary>Issue 18 through the command line as a user runs it: unknown options and bad values are one-line errors naming the
/// option; outputs are checked before training; resuming refuses other data or settings; damaged trials are reported and
/// trained again; the IJCAI fixture trains with unknown-scenario=skip; empty splits are errors.</summary>
public class StrictCliTests
{
    static (int Code, string Output) Run(params string[] args) => CliProcess.Run(args);

    static string Flat(string output) => CliProcess.Flat(output);

    static void CleanError(int code, string output, string expected)
    {
        Assert.True(code == 2, output);
        Assert.Contains("error: " + expected, Flat(output));
        Assert.DoesNotContain("   at ", output);       // no stack trace
        Assert.DoesNotContain("Exception", output);
    }

    static readonly string[] Tiny = ["--models", "dnn", "--trials", "1", "--epochs", "1", "--threads", "1", "--hidden", "8", "--embedding-dim", "4"];

    [Theory]
    [InlineData("unknown option '--epoch' for train (did you mean --epochs?)", "train", "--epoch", "1")]
    [InlineData("unknown option '--run' for experiment (did you mean --runs?)", "experiment", "--run", "DIR")]
    [InlineData("unknown option '--nme' for report (did you mean --name?)", "report", "--nme", "x")]
    [InlineData("unknown option '--zzz' for data describe", "data", "describe", "f.csv", "--zzz")]
    [InlineData("--epochs 'abc' is not a whole number", "train", "--epochs", "abc")]
    [InlineData("--epochs 'abc' is not a whole number", "train", "--epochs=abc")]
    [InlineData("--lr 'fast' is not a number", "experiment", "--lr", "fast")]
    [InlineData("--epochs needs a value: a whole number", "train", "--epochs")]
    [InlineData("--name '..' must be a plain name", "experiment", "--name", "..")]
    [InlineData("--name 'a/b' must be a plain name", "report", "--name", "a/b")]
    [InlineData("--name 'v1.2' must be a plain name", "sweep", "--name", "v1.2")]
    [InlineData("--dwm-kernel must be fused or torch; got 'cuda'", "bench", "--dwm-kernel", "cuda")]
    public void UnknownOptionsBadValuesAndPathNamesAreOneLineErrors(string expected, params string[] args)
    {
        var (code, output) = Run(args);
        CleanError(code, output, expected);
    }

    [Fact]
    public void OutputsThatCannotBeWrittenFailBeforeTraining()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-outputs-").FullName;
        var file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "");
        var (code, output) = Run(["experiment", .. Tiny, "--data", "synthetic,rows=1200", "--runs", Path.Combine(file, "runs"), "--out", Path.Combine(dir, "out")]);
        CleanError(code, output, $"--runs {Path.Combine(file, "runs")}: cannot write to");
        Assert.DoesNotContain("trial 1 of 1", output);                  // nothing trained
        (code, output) = Run("train", "--model", "dnn", "--data", "synthetic,rows=1200", "--epochs", "1", "--hidden", "8", "--save", Path.Combine(file, "model"));
        CleanError(code, output, "--save");
        Assert.DoesNotContain("epoch 1", output);
        // A saved model is not replaced unasked.
        var saved = Path.Combine(dir, "model");
        Directory.CreateDirectory(saved);
        File.WriteAllText(Path.Combine(saved, "model.json"), "{}");
        (code, output) = Run("train", "--model", "dnn", "--data", "synthetic,rows=1200", "--epochs", "1", "--hidden", "8", "--save", saved);
        CleanError(code, output, $"--save {saved}: the folder already holds a saved model");
    }

    [Fact]
    public void ResumeRefusesOtherDataOrSettingsAndRetrainsADamagedTrialThatReportNamed()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-resume-cli-").FullName;
        string[] Experiment(string data, params string[] more) =>
            ["experiment", .. Tiny, "--data", data, "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "out"), .. more];
        var (code, output) = Run(Experiment("synthetic,rows=1200"));
        Assert.True(code == 0, output);
        (code, output) = Run(Experiment("synthetic,rows=1299"));       // the same name, synthetic-1k
        CleanError(code, output, "[table1] synthetic-1k / dnn / trial 0 was recorded with other data or settings");
        Assert.Contains("data.synthetic.Rows (--data): recorded 1200, now 1299", Flat(output));
        (code, output) = Run(Experiment("synthetic,rows=1200", "--lr", "0.003"));
        CleanError(code, output, "[table1] synthetic-1k / dnn / trial 0 was recorded with other data or settings");
        Assert.Contains("trainer.LearningRate (--lr): recorded 0.001, now 0.003", Flat(output));

        // Cut mid-number: report names it and leaves it out; experiment sets it aside and trains it again.
        var csv = Directory.GetFiles(Path.Combine(dir, "runs"), "trial-0.csv", SearchOption.AllDirectories).Single();
        File.WriteAllText(csv, File.ReadAllText(csv)[..^3]);
        (code, output) = Run("report", "--name", "table1", "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "out"));
        Assert.True(code == 2, output);                                   // the only trial is damaged: nothing to summarise
        Assert.Contains("the last line is cut", Flat(output));
        (code, output) = Run(Experiment("synthetic,rows=1200"));
        Assert.True(code == 0, output);
        Assert.Contains("1 damaged record(s) set aside and trained again", Flat(output));
        Assert.True(File.Exists(csv + ".damaged"));
        (code, output) = Run("report", "--name", "table1", "--runs", Path.Combine(dir, "runs"), "--out", Path.Combine(dir, "out"));
        Assert.True(code == 0, output);
        Assert.DoesNotContain("damaged", output);
    }

    [Fact]
    public void TheIjcaiFixtureTrainsWithUnknownScenarioSkip()
    {
        var fixture = TestData.Fixture("ijcai18_fixture.txt");
        string[] Train(string data) => ["train", "--model", "dnn", "--data", data, "--epochs", "1", "--threads", "1", "--hidden", "8", "--embedding-dim", "4"];
        var (code, output) = Run(Train("ijcai:" + fixture));
        CleanError(code, output, "");
        Assert.Contains("add ,unknown-scenario=skip to --data", Flat(output));
        (code, output) = Run(Train($"ijcai:{fixture},unknown-scenario=skip"));
        Assert.True(code == 0, output);
        Assert.Contains("MissingScenarioSkipped", output);
        (code, output) = Run(Train("synthetic,unknown-scenario=skip"));
        CleanError(code, output, "--data: Dataset option unknown-scenario applies to amazon and ijcai");
    }

    [Fact]
    public void AnEmptySplitIsAnErrorNotAnAucOfNaN()
    {
        var (code, output) = Run("train", "--model", "dnn", "--data", "synthetic,rows=10,scenarios=10", "--epochs", "1", "--hidden", "8");
        CleanError(code, output, "The valid part(s) of dataset 'synthetic-0k' are empty");
    }
}

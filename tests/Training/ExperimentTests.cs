using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

public class ExperimentTests
{
    [Fact]
    public void PairedTTestMatchesTheClosedFormForTwoDegreesOfFreedom()
    {
        // d = x - y = {0.01, 0.02, 0.02}: mean 1/60, sd = sqrt(1/30000), t = mean / (sd / sqrt 3) = 5.
        // With 2 degrees of freedom the t CDF is 1/2 + t / (2 sqrt(2 + t^2)), so p = 1 - 5 / sqrt(27).
        var x = new Dictionary<int, double> { [0] = 0.71, [1] = 0.72, [2] = 0.73 };
        var y = new Dictionary<int, double> { [0] = 0.70, [1] = 0.70, [2] = 0.71 };
        Assert.Equal(1 - 5 / Math.Sqrt(27), ExperimentSummary.PairedTTest(x, y), 9);
        Assert.True(double.IsNaN(ExperimentSummary.PairedTTest(new Dictionary<int, double> { [0] = 1 }, y)));
    }

    static IEnumerable<ResultRow> Trials(string model, params (double Auc, double LogLoss)[] trials) =>
        trials.SelectMany((t, k) => new[]
        {
            new ResultRow("e", model, "d", k, k + 1, "all", "auc", t.Auc),
            new ResultRow("e", model, "d", k, k + 1, "all", "logloss", t.LogLoss),
            new ResultRow("e", model, "d", k, k + 1, "all", "params", 1000),
        });

    [Fact]
    public void SummaryFindsTheBestBaselineComputesRelaImprAndMarksSignificance()
    {
        var rows = Trials("dnn", (0.70, 0.40), (0.70, 0.41), (0.71, 0.40))
            .Concat(Trials("star", (0.71, 0.39), (0.72, 0.40), (0.72, 0.39)))
            .Concat(Trials("midpg-r", (0.73, 0.38), (0.745, 0.385), (0.75, 0.38)))
            .ToList();
        var summary = ExperimentSummary.Summarise(rows);
        Assert.Equal(["midpg-r", "star", "dnn"], summary.Select(s => s.Model));
        Assert.All(summary, s => Assert.Equal("star", s.BestBaseline));
        var midpg = summary[0];
        // RelaImpr = ((0.741667 - 0.5) / (0.703333 - 0.5) - 1) * 100
        Assert.Equal(((0.7416666667 - 0.5) / (0.7033333333 - 0.5) - 1) * 100, midpg.RelaImpr, 6);
        Assert.True(midpg.AucSignificant, $"p = {midpg.AucP}");
        Assert.True(double.IsNaN(summary[1].AucP));          // the best baseline is not tested against itself
        Assert.False(summary[2].AucSignificant);              // DNN is worse than STAR: never marked
        var md = ExperimentSummary.ToMarkdown(summary);
        Assert.Contains("| midpg-r | 0.7417 ± 0.0104*", md);
        Assert.StartsWith("dataset,model,trials,auc_mean", ExperimentSummary.ToCsv(summary));
        Assert.DoesNotContain("| trials |", md);                // every model has 3 trials: one count in the sentence
        Assert.Contains("over 3 trial(s)", md);
    }

    [Fact]
    public void AModelWithFewerTrialsShowsItsOwnCount()
    {
        // A run in progress: one model has 1 of 3 trials. Its row must not read as a mean over 3.
        var rows = Trials("dnn", (0.70, 0.40), (0.70, 0.41), (0.71, 0.40)).Concat(Trials("dpg-non", (0.72, 0.39))).ToList();
        var md = ExperimentSummary.ToMarkdown(ExperimentSummary.Summarise(rows));
        Assert.Contains("| model | trials | AUC |", md);
        Assert.Contains("| dpg-non | 1 | 0.7200", md);
        Assert.Contains("| dnn | 3 | 0.7033", md);
    }

    [Fact]
    public void StoreRoundTripsAndTheRunnerResumesWithoutRetraining()
    {
        var root = Directory.CreateTempSubdirectory("midpg-runs-").FullName;
        var store = new ResultsStore(root);
        int built = 0;
        ScenarioModel Factory(string name, FeatureSpec features, ModelSettings settings, TorchSharp.torch.Device? device)
        {
            built++;
            return new DpgModel(features, new DpgConfig
            {
                UseMir = name.StartsWith("midpg"), EmbeddingDim = 4, HiddenSizes = [8, 4], RowDivisor = 2, ColumnDivisor = 2,
                GeneratorHidden = 8, DiscriminatorHidden = 8,
            });
        }
        var spec = new ExperimentSpec
        {
            Name = "tiny",
            Models = ["dpg-r", "midpg-r"],
            Datasets = [DatasetSource.Synthetic(new SyntheticConfig { Rows = 2000, Scenarios = 3, Groups = 2, Users = 200, Items = 100 })],
            Seeds = [11, 12],
            Trainer = new TrainerConfig { MaxEpochs = 1, BatchSize = 128 },
        };
        var first = new ExperimentRunner(store, Factory).Run(spec);
        Assert.Equal(new ExperimentRunner.Outcome(4, 0), first);
        Assert.Equal(4, built);

        var rows = store.Read("tiny");
        Assert.Equal(4, rows.Where(r => r.Scenario == "all" && r.Metric == "auc").Count());
        Assert.Equal(4 * 3, rows.Count(r => r.Scenario != "all" && r.Metric == "auc"));   // per scenario
        Assert.All(rows.Where(r => r.Metric == "auc" && r.Scenario == "all"), r => Assert.InRange(r.Value, 0, 1));
        Assert.Equal([11, 12], rows.Select(r => r.Seed).Distinct().Order());

        // Interrupted and restarted: nothing is trained again; one missing trial is.
        File.Delete(Directory.GetFiles(root, "trial-1.csv", SearchOption.AllDirectories).First(f => f.Contains("midpg-r")));
        var second = new ExperimentRunner(store, Factory).Run(spec);
        Assert.Equal(new ExperimentRunner.Outcome(1, 3), second);
        Assert.Equal(5, built);
        Assert.True(Directory.GetFiles(root, "trial-0.json", SearchOption.AllDirectories).Length == 2);

        // Other seeds under the same name would be silently skipped as "recorded": the runner refuses them instead.
        var error = Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, Factory).Run(spec with { Seeds = [13, 14, 15] }));
        Assert.Contains("trial 0 is recorded with seed 11, but this run asks for seed 13", error.Message);
        Assert.Equal(5, built);
        Assert.Equal(new ExperimentRunner.Outcome(2, 4), new ExperimentRunner(store, Factory).Run(spec with { Seeds = [11, 12, 13] }));
    }

    [Fact]
    public void StoreReportsFileLineAndColumnOfABadValue()
    {
        var root = Directory.CreateTempSubdirectory("midpg-runs-").FullName;
        var file = Path.Combine(root, "e", "d", "m", "trial-0.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, ResultsStore.Header + "\ne,m,d,0,1,all,auc,oops\n");
        var error = Assert.Throws<InvalidDataException>(() => new ResultsStore(root).Read());
        Assert.Contains($"{file}, line 2, column 8 (value): 'oops'", error.Message);
    }

    [Fact]
    public void DatasetSourcesParseOptionsAndRejectUnknownOnes()
    {
        Assert.Equal("synthetic-20k", DatasetSource.Parse("synthetic", quick: true).Name);
        Assert.Equal("synthetic-5k", DatasetSource.Parse("synthetic,rows=5000").Name);
        // Every option that changes the data shows in the name, so the results store never mixes two datasets.
        Assert.Equal("synthetic-100k-s20-g10-sn0.5", DatasetSource.Parse("synthetic,scenarios=20,groups=10,scenario-noise=0.5").Name);
        Assert.Contains("Unknown dataset 'nope'", Assert.Throws<ArgumentException>(() => DatasetSource.Parse("nope")).Message);
        Assert.Contains("Unknown option(s) colour", Assert.Throws<ArgumentException>(() => DatasetSource.Parse("synthetic,colour=red")).Message);
    }
}

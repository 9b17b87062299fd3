using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

/// <summary>Issue 16: search spaces, selection on validation only, resumption of tuning, the one-class scenario.
/// In the collection that runs alone: two runs are compared bit for bit, so no other test may draw from torch's global generator meanwhile.</summary>
[Collection("torch global generator")]
public class TuningTests
{
    static readonly SyntheticConfig Tiny = new() { Rows = 2400, Scenarios = 3, Groups = 2, Users = 200, Items = 100 };

    static FeatureSpec TinyFeatures()
    {
        var loaded = SyntheticScenarios.Generate(Tiny with { Rows = 300 }).Load(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true));
        return ModelData.Features(loaded.Train);
    }

    [Fact]
    public void EveryRegistryModelHasASpaceWhoseDefaultIsTheRegistryDefaultAndWhosePointsAreValid()
    {
        var features = TinyFeatures();
        foreach (var name in ModelRegistry.Names)
        {
            var space = SearchSpaces.For(name);
            Assert.True(space.Size >= SearchSpaces.MinimumSize, $"{name}: {space.Size} points");
            Assert.Equal("lr", space.Parameters[0].Name);
            // The default point builds exactly the registry's default config and the paper's learning rate.
            var (settings, trainer) = space.Apply(space.Default, new ModelSettings(), new TrainerConfig());
            Assert.Equal(1e-3, trainer.LearningRate);
            var expected = ModelRegistry.DefaultConfig(name);
            var tuned = ModelFactories.Options(settings).Apply(ModelRegistry.DefaultConfig(name));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected, expected.GetType()), System.Text.Json.JsonSerializer.Serialize(tuned, tuned.GetType()));
            // Every point gives a valid config, and every non-default value of a model hyperparameter changes the config.
            var configs = new HashSet<string>();
            for (int i = 0; i < space.Size; i++)
            {
                var c = space.At(i);
                var (s, t) = space.Apply(c, new ModelSettings(), new TrainerConfig());
                var config = ModelFactories.Options(s).Apply(ModelRegistry.DefaultConfig(name));
                Assert.Empty(config.Problems(features));
                configs.Add(System.Text.Json.JsonSerializer.Serialize(config, config.GetType()) + "|" + t.LearningRate);
            }
            Assert.Equal(space.Size, configs.Count);   // no two points describe the same training
            // Also with other backbone sizes (quick mode's 64-32): every point distinct and valid.
            var quick = new ModelSettings(HiddenSizes: [64, 32]);
            var quickConfigs = Enumerable.Range(0, space.Size).Select(i =>
            {
                var (s, t) = space.Apply(space.At(i), quick, new TrainerConfig());
                var config = ModelFactories.Options(s).Apply(ModelRegistry.DefaultConfig(name));
                Assert.Empty(config.Problems(features));
                return System.Text.Json.JsonSerializer.Serialize(config, config.GetType()) + "|" + t.LearningRate;
            }).Distinct().Count();
            Assert.Equal(space.Size, quickConfigs);
        }
        Assert.Throws<ArgumentException>(() => SearchSpaces.For("no-such-model"));
    }

    [Fact]
    public void CandidatesAreReproducibleDistinctStartAtTheDefaultAndCoverEveryValue()
    {
        var space = SearchSpaces.For("midpg-r");
        var a = space.Candidates(6, SearchStrategy.Random, 0);
        var b = space.Candidates(6, SearchStrategy.Random, 0);
        Assert.Equal(a.Select(c => c.Key), b.Select(c => c.Key));
        Assert.Equal(6, a.Select(c => c.Index).Distinct().Count());
        Assert.Equal(0, a[0].Index);
        // The Latin-hypercube draw spreads each hyperparameter's values: with 6 candidates all 5 λ values and all 3 rates appear.
        Assert.Equal(SearchSpaces.Lambdas.Count, a.Select(c => c.Values.First(v => v.Key == "lambda").Value).Distinct().Count());
        Assert.Equal(SearchSpaces.LearningRates.Count, a.Select(c => c.Values.First(v => v.Key == "lr").Value).Distinct().Count());
        Assert.NotEqual(a.Select(c => c.Key), space.Candidates(6, SearchStrategy.Random, 1).Select(c => c.Key));
        // Grid: the first points in order; a budget above the size gives the whole grid once.
        Assert.Equal([0, 1, 2], space.Candidates(3, SearchStrategy.Grid, 0).Select(c => c.Index));
        Assert.Equal(Enumerable.Range(0, 6), SearchSpaces.For("dpg-r").Candidates(50, SearchStrategy.Random, 3).Select(c => c.Index));
        Assert.Throws<ArgumentOutOfRangeException>(() => space.Candidates(0, SearchStrategy.Random, 0));
        Assert.Throws<ArgumentException>(() => space.Apply(new Candidate(0, [new("lambda", "7")]), new ModelSettings(), new TrainerConfig()));
    }

    /// <summary>A small DPG / MI-DPG for any registry name, so tuning tests run in seconds.</summary>
    static ScenarioModel SmallFactory(string name, FeatureSpec features, ModelSettings settings, TorchSharp.torch.Device? device) =>
        ModelRegistry.Create(name, features, ModelFactories.Options(settings with { EmbeddingDim = 4, HiddenSizes = [8, 4] })
            .With<DpgConfig>(c => c with { GeneratorHidden = 8, DiscriminatorHidden = 8, RowDivisor = 2, ColumnDivisor = 2 }), device);

    /// <summary>The tiny synthetic data; <paramref name="editTest"/> changes only the test part.</summary>
    static DatasetSource Source(string name, Action<EncodedDataset>? editTest = null) => new(name, () =>
    {
        var loaded = SyntheticScenarios.Generate(Tiny).Load(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true));
        var test = loaded.Test.Select(Enumerable.Range(0, loaded.Test.Rows).ToArray(), "test");   // a copy
        editTest?.Invoke(test);
        return new ExperimentData(name, loaded.Train, loaded.Valid, test, "tiny synthetic", loaded.Encoder);
    });

    static ExperimentSpec Spec(DatasetSource source, int budget = 3) => new()
    {
        Name = "tune",
        Models = ["midpg-r"],
        Datasets = [source],
        Seeds = [1, 2],
        Trainer = new TrainerConfig { MaxEpochs = 2, Patience = 1, BatchSize = 128, Threads = 1 },   // one thread: bit-identical reruns
        Tuning = new TuningSpec { Budget = budget },
    };

    [Fact]
    public void SelectionSeesValidationOnlyTheSameChoiceWhateverTheTestPartHolds()
    {
        // Two runs whose data differ only in the test part: in the second, every test label is flipped. Selection must not
        // notice: the same validation AUC for every candidate and the same choice. The trials' test AUCs must differ
        // (about 1 - AUC), which shows the test parts really differ and are used where they belong.
        var root = Directory.CreateTempSubdirectory("midpg-tune-").FullName;
        var honest = new ExperimentRunner(new ResultsStore(Path.Combine(root, "a")), SmallFactory).Run(Spec(Source("tiny")));
        var flipped = new ExperimentRunner(new ResultsStore(Path.Combine(root, "b")), SmallFactory).Run(Spec(Source("tiny", test =>
        {
            for (int i = 0; i < test.Rows; i++) test.Labels[i] = 1 - test.Labels[i];
        })));
        var (x, y) = (honest.Choices!.Single(), flipped.Choices!.Single());
        Assert.Equal(x.Chosen.Key, y.Chosen.Key);
        Assert.Equal(x.Trials.Select(t => t.ValidAuc), y.Trials.Select(t => t.ValidAuc));
        // The choice is the candidate with the highest validation AUC.
        Assert.Equal(x.Trials.MaxBy(t => t.ValidAuc)!.Candidate.Key, x.Chosen.Key);

        double TestAuc(string store) => new ResultsStore(Path.Combine(root, store)).Read("tune").First(r => r.Scenario == "all" && r.Metric == "auc" && r.Trial == 0).Value;
        Assert.Equal(1 - TestAuc("a"), TestAuc("b"), 3);
        // The trials ran at the chosen configuration, recorded with it.
        Assert.Equal(x.Chosen.Key, new ResultsStore(Path.Combine(root, "a")).RecordedHyperparameters("tune", "tiny", "midpg-r", 0));
    }

    [Fact]
    public void SelectionCannotReachTheTestPartTheSearchIsHandedTrainAndValidOnly()
    {
        // The library call behind --tune takes (train, valid) and no test part: its parameters say so.
        var method = typeof(HyperparameterSearch).GetMethod(nameof(HyperparameterSearch.Tune))!;
        var datasets = method.GetParameters().Where(p => p.ParameterType == typeof(EncodedDataset)).Select(p => p.Name).ToArray();
        Assert.Equal(["train", "valid"], datasets);
        Assert.DoesNotContain(method.GetParameters(), p => p.ParameterType == typeof(ExperimentData));
    }

    [Fact]
    public void AnInterruptedTuningRunResumesWithTheCandidatesItHasNotTrained()
    {
        var root = Directory.CreateTempSubdirectory("midpg-tune-resume-").FullName;
        var store = new ResultsStore(root);
        int built = 0;
        ScenarioModel Counting(string name, FeatureSpec f, ModelSettings s, TorchSharp.torch.Device? d) { built++; return SmallFactory(name, f, s, d); }
        var spec = Spec(Source("tiny")) with { Seeds = [1] };
        var progress = new List<ExperimentProgress>();
        var first = new ExperimentRunner(store, Counting) { Progress = progress.Add }.Run(spec);
        Assert.Equal(3, first.Tuned);
        // Progress after every training: 3 candidates and 1 trial, counted 1..4, with an estimate once one has run.
        Assert.Equal([1, 2, 3, 4], progress.Select(p => p.Done));
        Assert.All(progress, p => Assert.Equal(4, p.Total));
        Assert.All(progress, p => Assert.NotNull(p.Left));
        Assert.Equal(TimeSpan.Zero, progress[^1].Left);
        Assert.Contains("training 4 of 4 done (tiny / midpg-r / trial 1)", progress[^1].ToString());
        Assert.Equal(4, built);   // 3 candidates + 1 trial
        var folder = Path.Combine(root, "tune", "tiny", "midpg-r", "tuning");
        var chosen = first.Choices!.Single();

        // Interrupted: the last candidate, the choice and the trial are lost (a half-written file stays ".partial").
        var last = chosen.Trials[^1].Candidate;
        File.Move(Path.Combine(folder, $"candidate-{last.Index}.json"), Path.Combine(folder, $"candidate-{last.Index}.json.partial"));
        File.Delete(Path.Combine(folder, "chosen.json"));
        foreach (var f in Directory.GetFiles(Path.Combine(root, "tune", "tiny", "midpg-r"), "trial-*")) File.Delete(f);
        built = 0;
        var again = new ExperimentRunner(store, Counting).Run(spec);
        Assert.Equal(1, again.Tuned);       // only the missing candidate
        Assert.Equal(2, built);             // it, and the trial
        Assert.Equal(chosen.Chosen.Key, again.Choices!.Single().Chosen.Key);
        Assert.Equal(chosen.Trials.Select(t => t.ValidAuc), again.Choices!.Single().Trials.Select(t => t.ValidAuc));

        // Everything recorded: nothing trains, and the report reads the choice back.
        built = 0;
        progress.Clear();
        var third = new ExperimentRunner(store, Counting) { Progress = progress.Add }.Run(spec);
        Assert.Equal((0, 0, 1), (built, third.Tuned, third.Skipped));
        Assert.Equal(4, progress.Count);
        Assert.All(progress, p => Assert.Null(p.Left));   // nothing trained: no estimate from reading files back
        var record = HyperparameterSearch.ReadRecords(store, "tune").Single();
        Assert.Equal(chosen.Chosen.Key, record.Chosen);
        Assert.Equal(3, record.Budget);
        Assert.Contains("| midpg-r | " + chosen.Chosen.Key, ExperimentSummary.TuningToMarkdown([record]));

        // Another tuning seed draws other candidates: refused rather than mixed with the recorded ones.
        var other = spec with { Tuning = new TuningSpec { Budget = 3, Seed = 5 } };
        Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, Counting).Run(other));
        // The same trials without tuning: refused, since they were recorded at the tuned configuration.
        if (chosen.Chosen.Index != 0)
            Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, Counting).Run(spec with { Tuning = null }));
    }

    [Fact]
    public void AOneClassScenarioHasNoAucCountedAndShownNeverAMadeUpHalf()
    {
        // Scenario s0's test part is made all-negative; the others keep both classes.
        var root = Directory.CreateTempSubdirectory("midpg-oneclass-").FullName;
        var store = new ResultsStore(root);
        var source = Source("tiny", test =>
        {
            for (int i = 0; i < test.Rows; i++) if (test.Scenario[i] == 0) test.Labels[i] = 0;
        });
        var spec = Spec(source) with { Models = ["dnn", "dpg-r"], Tuning = null };
        new ExperimentRunner(store, SmallFactory).Run(spec);
        var rows = store.Read("tune");
        var scenario0 = rows.Where(r => r.Scenario != "all" && r.Metric == "positives" && r.Value == 0).Select(r => r.Scenario).Distinct().Single();
        Assert.All(rows.Where(r => r.Scenario == scenario0 && r.Metric == "auc"), r => Assert.True(double.IsNaN(r.Value)));

        var summary = ExperimentSummary.SummariseScenarios(rows);
        var cells = summary.Where(r => r.Scenario == scenario0).ToList();
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.Equal((2, 0, 2), (c.Trials, c.AucTrials, c.NoAucTrials)));
        Assert.All(cells, c => Assert.True(double.IsNaN(c.AucMean)));
        Assert.All(cells, c => Assert.True(double.IsFinite(c.LogLossMean)));   // LogLoss is defined with one class
        Assert.All(cells, c => Assert.Equal(0, c.Positives));
        // The other scenarios have an AUC, a best baseline and a gain over DNN.
        Assert.All(summary.Where(r => r.Scenario != scenario0), c => Assert.Equal(2, c.AucTrials));
        Assert.All(summary.Where(r => r.Scenario != scenario0 && r.Model == "dnn"), c => Assert.Equal(0, c.GainOverDnn));

        var md = ExperimentSummary.ScenariosToMarkdown(summary);
        Assert.Contains("no AUC (2/2)", md);
        Assert.Contains($"| {scenario0} |", md);
        Assert.DoesNotContain("0.5000 ± 0.0000", md);
        var csv = ExperimentSummary.ScenariosToCsv(summary);
        Assert.Contains($"tiny,{scenario0},dnn,2,0,NaN", csv);
        // The overall summary still works (the overall test part has both classes).
        Assert.All(ExperimentSummary.Summarise(rows), r => Assert.True(double.IsFinite(r.AucMean)));
    }

    [Fact]
    public void PerScenarioSummaryTestsAgainstTheScenariosBestBaselineAndMeasuresGainsOverDnn()
    {
        static IEnumerable<ResultRow> Rows(string model, string scenario, params double[] auc) => auc.SelectMany((a, k) => new[]
        {
            new ResultRow("e", model, "d", k, k + 1, scenario, "auc", a),
            new ResultRow("e", model, "d", k, k + 1, scenario, "logloss", 1 - a),
            new ResultRow("e", model, "d", k, k + 1, scenario, "n", 100),
            new ResultRow("e", model, "d", k, k + 1, scenario, "positives", 20),
        });
        var rows = Rows("dnn", "s2", 0.70, 0.71, 0.72).Concat(Rows("star", "s2", 0.60, 0.61, 0.62)).Concat(Rows("midpg-r", "s2", 0.75, 0.765, 0.77))
            .Concat(Rows("dnn", "s10", 0.60, 0.61, 0.60)).Concat(Rows("star", "s10", 0.66, 0.65, 0.67)).Concat(Rows("midpg-r", "s10", 0.64, 0.64, 0.66))
            .ToList();
        var summary = ExperimentSummary.SummariseScenarios(rows);
        Assert.Equal(["s2", "s10"], summary.Select(r => r.Scenario).Distinct());   // natural order
        var s2 = summary.Where(r => r.Scenario == "s2").ToDictionary(r => r.Model);
        var s10 = summary.Where(r => r.Scenario == "s10").ToDictionary(r => r.Model);
        Assert.Equal("dnn", s2["midpg-r"].BestBaseline);     // best baseline per scenario
        Assert.Equal("star", s10["midpg-r"].BestBaseline);
        Assert.Equal((0.75 + 0.765 + 0.77) / 3 - (0.70 + 0.71 + 0.72) / 3, s2["midpg-r"].GainOverDnn, 9);
        Assert.Equal(ExperimentSummary.PairedTTest(new Dictionary<int, double> { [0] = 0.75, [1] = 0.765, [2] = 0.77 },
            new Dictionary<int, double> { [0] = 0.70, [1] = 0.71, [2] = 0.72 }), s2["midpg-r"].AucP, 12);
        Assert.True(s2["midpg-r"].AucSignificant);
        Assert.False(s10["midpg-r"].AucSignificant);          // below STAR there
        Assert.True(double.IsNaN(s10["star"].AucP));           // the best baseline is not tested against itself
    }
}

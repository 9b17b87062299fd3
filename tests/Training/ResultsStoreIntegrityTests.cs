using System.Text.Json.Nodes;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

/// <summary>Issue 18: the results store keys a trial by a fingerprint of its data and settings, verifies every record on read
/// (checksum, or structure for legacy records), sets damaged records aside and trains them again, and still reads the records
/// of today's format (the committed fixture Fixtures/legacy-store is a trial pair copied from a real run).</summary>
public class ResultsStoreIntegrityTests
{
    static string LegacyStore()
    {
        var root = Directory.CreateTempSubdirectory("midpg-legacy-").FullName;
        var source = Path.Combine(AppContext.BaseDirectory, "Training", "Fixtures", "legacy-store");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return root;
    }

    const string LegacyCsv = "table1/synthetic-100k/dnn/trial-1.csv";

    [Fact]
    public void ALegacyTrialPairIsReadCheckedStructurallyAndCounted()
    {
        var store = new ResultsStore(LegacyStore());
        var record = store.Find("table1", "synthetic-100k", "dnn", 1)!;
        Assert.Equal(TrialState.Legacy, record.State);
        Assert.Null(record.Fingerprint);
        Assert.Equal((2, "lr=0.003, dropout=0.3"), (record.Seed, record.Hyperparameters));
        var contents = store.Scan("table1");
        Assert.Equal((1, 1, 0), (contents.Trials, contents.Legacy, contents.Damaged.Count));
        Assert.Equal(49, contents.Rows.Count);
        Assert.Contains("1 of 1 trial(s) are legacy records", contents.LegacyLine);
        Assert.Equal(49, store.Read("table1").Count);
    }

    [Theory]
    [InlineData("cut mid-number", "the last line is cut")]
    [InlineData("cut at a line end", "the metric(s) train_seconds of scenario 'all' are missing")]
    [InlineData("emptied", "the file is empty")]
    [InlineData("a missing column", "expected 8 fields, found 7")]
    [InlineData("no json", "the trial's configuration file is missing")]
    [InlineData("cut json", "not a trial configuration")]
    public void ADamagedLegacyTrialIsReportedAndNeverUsed(string damage, string expected)
    {
        var root = LegacyStore();
        var csv = Path.Combine(root, LegacyCsv);
        var text = File.ReadAllText(csv);
        switch (damage)
        {
            case "cut mid-number": File.WriteAllText(csv, text[..^4]); break;   // "...,12.34\n" -> "...,12.3" still parses as a number
            case "cut at a line end": File.WriteAllText(csv, text[..(text.TrimEnd('\n').LastIndexOf('\n') + 1)]); break;
            case "emptied": File.WriteAllText(csv, ""); break;
            case "a missing column": File.WriteAllText(csv, text.Replace(",all,logloss,", ",logloss,")); break;
            case "no json": File.Delete(Path.ChangeExtension(csv, ".json")); break;
            case "cut json": var json = Path.ChangeExtension(csv, ".json"); File.WriteAllText(json, File.ReadAllText(json)[..200]); break;
        }
        var store = new ResultsStore(root);
        var contents = store.Scan("table1");
        var damaged = Assert.Single(contents.Damaged);
        Assert.Contains(expected, damaged.Problem);
        Assert.Empty(contents.Rows);
        var error = Assert.Throws<InvalidDataException>(() => store.Read("table1"));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ANewTrialCarriesItsChecksumAndAnyEditIsDetected()
    {
        var root = Directory.CreateTempSubdirectory("midpg-integrity-").FullName;
        var store = new ResultsStore(root);
        var rows = TrialRecord.RequiredMetrics.Select(m => new ResultRow("e", "dnn", "d", 0, 7, "all", m, m == "auc" ? 0.75 : 1.5)).ToList();
        var fingerprint = RunFingerprint.For("trial", DataIdentity.NameOnly("d"), "dnn", new ModelSettings(), null, new TrainerConfig(), 7, "");
        store.Write(rows, new { seed = 7, trial = 0 }, fingerprint);
        var record = store.Find("e", "d", "dnn", 0)!;
        Assert.Equal(TrialState.Intact, record.State);
        Assert.Equal(fingerprint.Hash, record.Fingerprint!.Hash);
        var json = JsonNode.Parse(File.ReadAllText(record.JsonFile))!;
        Assert.Equal(2, json["format"]!.GetValue<int>());
        Assert.Equal(64, json["integrity"]!["csv_sha256"]!.GetValue<string>().Length);

        // One digit changed, still a perfectly parseable CSV: the checksum catches it.
        File.WriteAllText(record.CsvFile, File.ReadAllText(record.CsvFile).Replace("0.75", "0.76"));
        var edited = store.Find("e", "d", "dnn", 0)!;
        Assert.Equal(TrialState.Damaged, edited.State);
        Assert.Contains("does not match the checksum", edited.Problem);
        // Set aside, never overwritten: the damaged files keep their content under a new name.
        var aside = ResultsStore.SetAside(edited);
        Assert.EndsWith("trial-0.csv.damaged", aside);
        Assert.True(File.Exists(Path.Combine(root, "e", "d", "dnn", "trial-0.json.damaged")));
        Assert.Null(store.Find("e", "d", "dnn", 0));
        Assert.Empty(store.Scan("e").Rows);
    }

    [Fact]
    public void FingerprintsDescribeDataModelAndTrainerButNotSpeedSettings()
    {
        var data = DataIdentity.Synthetic(new SyntheticConfig { Rows = 20_000 }, SplitRule.Random(0.8, 0.1, 0, true));
        var settings = new ModelSettings(HiddenSizes: [16, 8]);
        RunFingerprint Of(DataIdentity d, TrainerConfig t, ModelSettings s) =>
            RunFingerprint.For("trial", d, "dnn", s, RunFingerprint.RegistryConfig("dnn", s), t, 1, "");
        var baseline = Of(data, new TrainerConfig(), settings);
        Assert.Equal(16, baseline.Hash.Length);
        // Threads, device and the evaluation batch change speed, not results.
        Assert.Equal(baseline.Hash, Of(data, new TrainerConfig { Threads = 3, EvaluationBatchSize = 100, ReportEverySteps = 1 }, settings).Hash);
        // Everything else that changes results is named in the difference.
        Assert.Contains("trainer.LearningRate (--lr): recorded 0.001, now 0.003",
            Of(data, new TrainerConfig { LearningRate = 0.003 }, settings).DifferencesFrom(baseline));
        Assert.Contains("model.config.HiddenSizes (--hidden): recorded [16,8], now [32,8]",
            Of(data, new TrainerConfig(), new ModelSettings(HiddenSizes: [32, 8])).DifferencesFrom(baseline));
        var other = DataIdentity.Synthetic(new SyntheticConfig { Rows = 20_999 }, SplitRule.Random(0.8, 0.1, 0, true));
        Assert.Contains("data.synthetic.Rows (--data): recorded 20000, now 20999", Of(other, new TrainerConfig(), settings).DifferencesFrom(baseline));
        // Stored and read back: the same hash, and a tampered description is refused.
        var node = baseline.ToJson();
        Assert.Equal(baseline.Hash, RunFingerprint.FromJson(node, "f")!.Hash);
        node["description"]!["seed"] = "2";
        Assert.Throws<InvalidDataException>(() => RunFingerprint.FromJson(node, "f"));
    }

    [Fact]
    public void AFileIsIdentifiedByItsContentNotItsPath()
    {
        var folder = Directory.CreateTempSubdirectory("midpg-identity-").FullName;
        var fixture = MiDpg.Research.Tests.Data.TestData.Fixture("amazon_electronics_fixture.csv");
        string Copy(string name) { var p = Path.Combine(folder, name); File.Copy(fixture, p); return p; }
        var (a, b) = (Copy("a.csv"), Copy("b.csv"));
        DataIdentity Of(string path) => DatasetSource.Parse("amazon:" + path).Identify();
        Assert.Equal(Of(a).Entries, Of(b).Entries);
        File.AppendAllText(b, File.ReadLines(b).Last() + "\n");
        var differences = RunFingerprint.For("trial", Of(b), "dnn", new ModelSettings(), null, new TrainerConfig(), 1, "")
            .DifferencesFrom(RunFingerprint.For("trial", Of(a), "dnn", new ModelSettings(), null, new TrainerConfig(), 1, ""));
        Assert.Contains(differences, d => d.StartsWith("data.file[0].sha256 (--data): recorded "));
        Assert.Contains(differences, d => d.StartsWith("data.file[0].bytes (--data): recorded "));
    }

    static ExperimentSpec TinySpec(TrainerConfig? trainer = null, int rows = 1200) => new()
    {
        Name = "resume",
        Models = ["dnn"],
        Datasets = [DatasetSource.Synthetic(new SyntheticConfig { Rows = rows, Scenarios = 3, Groups = 2, Users = 100, Items = 50 })],
        Seeds = [1],
        Trainer = trainer ?? new TrainerConfig { MaxEpochs = 1, BatchSize = 128, Threads = 1 },
        Settings = new ModelSettings(EmbeddingDim: 4, HiddenSizes: [8]),
    };

    [Fact]
    public void TheRunnerRefusesOtherDataOrSettingsRetrainsDamagedTrialsAndReusesLegacyOnes()
    {
        var root = Directory.CreateTempSubdirectory("midpg-resume-").FullName;
        var store = new ResultsStore(root);
        Assert.Equal(1, new ExperimentRunner(store, ModelFactories.Registry).Run(TinySpec()).Trained);
        Assert.Equal((0, 1), (new ExperimentRunner(store, ModelFactories.Registry).Run(TinySpec()) is var again ? (again.Trained, again.Skipped) : default));

        // rows=1200 and rows=1299 share the name synthetic-1k; another learning rate shares everything else: both refused, naming the difference.
        var rowsError = Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, ModelFactories.Registry).Run(TinySpec(rows: 1299)));
        Assert.Contains("data.synthetic.Rows (--data): recorded 1200, now 1299", rowsError.Message);
        var lrError = Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, ModelFactories.Registry)
            .Run(TinySpec(new TrainerConfig { MaxEpochs = 1, BatchSize = 128, Threads = 1, LearningRate = 0.003 })));
        Assert.Contains("trainer.LearningRate (--lr): recorded 0.001, now 0.003", lrError.Message);
        // Threads are not part of the key.
        Assert.Equal(1, new ExperimentRunner(store, ModelFactories.Registry).Run(TinySpec(new TrainerConfig { MaxEpochs = 1, BatchSize = 128, Threads = 2 })).Skipped);

        // Cut mid-number: set aside and trained again, never used.
        var csv = Directory.GetFiles(root, "trial-0.csv", SearchOption.AllDirectories).Single();
        File.WriteAllText(csv, File.ReadAllText(csv)[..^3]);
        var log = new StringWriter();
        var retrained = new ExperimentRunner(store, ModelFactories.Registry, log).Run(TinySpec());
        Assert.Equal((1, 0, 1), (retrained.Trained, retrained.Skipped, retrained.Retrained));
        Assert.Contains("damaged", log.ToString());
        Assert.True(File.Exists(csv + ".damaged"));
        Assert.Equal(TrialState.Intact, store.Find("resume", "synthetic-1k-s3-g2-u100-i50", "dnn", 0)!.State);

        // Made legacy (today's format: no format, integrity or fingerprint): reused and counted; another --lr still refused.
        var jsonFile = Path.ChangeExtension(csv, ".json");
        var json = JsonNode.Parse(File.ReadAllText(jsonFile))!.AsObject();
        json.Remove("format"); json.Remove("integrity"); json.Remove("fingerprint");
        File.WriteAllText(jsonFile, json.ToJsonString());
        var legacy = new ExperimentRunner(store, ModelFactories.Registry).Run(TinySpec());
        Assert.Equal((0, 1, 1), (legacy.Trained, legacy.Skipped, legacy.Legacy));
        var legacyError = Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, ModelFactories.Registry)
            .Run(TinySpec(new TrainerConfig { MaxEpochs = 1, BatchSize = 128, Threads = 1, LearningRate = 0.003 })));
        Assert.Contains("lr (--lr): recorded 0.001, now 0.003", legacyError.Message);
    }

    [Fact]
    public void ATuningCandidateIsProtectedTheSameWay()
    {
        var root = Directory.CreateTempSubdirectory("midpg-tune-integrity-").FullName;
        var store = new ResultsStore(root);
        var spec = TinySpec() with { Tuning = new TuningSpec { Budget = 2 } };
        Assert.Equal(2, new ExperimentRunner(store, ModelFactories.Registry).Run(spec).Tuned);
        var candidates = Directory.GetFiles(root, "candidate-*.json", SearchOption.AllDirectories).Order().ToArray();
        Assert.All(candidates, c => Assert.NotNull(JsonNode.Parse(File.ReadAllText(c))!["fingerprint"]));
        // Another --epochs: the recorded candidates are refused, not reused.
        var error = Assert.Throws<ResumeConflictException>(() => new ExperimentRunner(store, ModelFactories.Registry)
            .Run(spec with { Trainer = spec.Trainer with { MaxEpochs = 2 } }));
        Assert.Contains("trainer.MaxEpochs (--epochs): recorded 1, now 2", error.Message);
        // A cut candidate record is set aside and trained again.
        File.WriteAllText(candidates[0], File.ReadAllText(candidates[0])[..100]);
        var again = new ExperimentRunner(store, ModelFactories.Registry).Run(spec);
        Assert.Equal((1, 1), (again.Tuned, again.Retrained));
        Assert.True(File.Exists(candidates[0] + ".damaged"));
    }

    [Fact]
    public void ACutCheckpointNamesItsFile()
    {
        var loaded = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 300, Scenarios = 3, Groups = 2, Users = 50, Items = 20 })
            .Load(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true));
        using var model = ModelRegistry.Create("dnn", ModelData.Features(loaded.Train), new ModelOptions { EmbeddingDim = 4, HiddenSizes = [8] });
        var folder = Directory.CreateTempSubdirectory("midpg-checkpoint-").FullName;
        ModelStore.Save(model, folder);
        var weights = Path.Combine(folder, ModelStore.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => ModelStore.Load(folder));
        Assert.Contains(weights, error.Message);
        File.WriteAllText(Path.Combine(folder, ModelStore.ManifestFile), "{\"format\": 1, \"kind\":");
        Assert.Contains(ModelStore.ManifestFile, Assert.Throws<InvalidDataException>(() => ModelStore.Load(folder)).Message);
    }
}

using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

/// <summary>Cancellation (the kernel's Stop button, Ctrl+C on the command line): the current training stops within a step,
/// finished trials stay in the store, and the same run resumes.</summary>
public class CancellationTests
{
    sealed class CancelAt(CancellationTokenSource source, int step) : ITrainingReporter
    {
        public int LastStep;
        public void OnStep(StepProgress progress)
        {
            LastStep = progress.Step;
            if (progress.Step == step) source.Cancel();
        }
    }

    [Fact]
    public void ACancelledTrainingStopsWithinOneStep()
    {
        var loaded = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 3000, Scenarios = 3, Groups = 2, Users = 200, Items = 100 })
            .Load(SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true));
        using var model = ModelRegistry.Create("dnn", ModelData.Features(loaded.Train), new ModelOptions { HiddenSizes = [8, 4] });
        using var source = new CancellationTokenSource();
        var reporter = new CancelAt(source, 3);
        var trainer = new Trainer(new TrainerConfig { BatchSize = 64, MaxEpochs = 3, ReportEverySteps = 1 });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(model, loaded.Train, loaded.Valid, reporter, source.Token));
        Assert.Equal(3, reporter.LastStep);   // step 3 finished, step 4 never ran
    }

    [Fact]
    public void ACancelledExperimentKeepsItsFinishedTrialsAndResumes()
    {
        var store = new ResultsStore(Directory.CreateTempSubdirectory("midpg-cancel-").FullName);
        var spec = new ExperimentSpec
        {
            Name = "cancel",
            Models = ["dnn"],
            Datasets = [DatasetSource.Synthetic(new SyntheticConfig { Rows = 2000, Scenarios = 3, Groups = 2, Users = 200, Items = 100 })],
            Seeds = [1, 2, 3],
            Trainer = new TrainerConfig { MaxEpochs = 1, BatchSize = 128 },
            Settings = new ModelSettings(HiddenSizes: [8, 4]),
        };
        using var source = new CancellationTokenSource();
        // Cancelled as soon as the first trial is recorded: the second stops within a step.
        var runner = new ExperimentRunner(store, ModelFactories.Registry) { Progress = p => { if (p.Done == 1) source.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(spec, source.Token));
        Assert.True(store.Has("cancel", "synthetic-2k-s3-g2-u200-i100", "dnn", 0));
        Assert.False(store.Has("cancel", "synthetic-2k-s3-g2-u200-i100", "dnn", 1));
        var resumed = new ExperimentRunner(store, ModelFactories.Registry).Run(spec);
        Assert.Equal((2, 1), (resumed.Trained, resumed.Skipped));
    }
}

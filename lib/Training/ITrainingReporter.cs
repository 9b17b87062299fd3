namespace MiDpg.Research.Training;

/// <summary>A training step as reported to a progress display.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Step within the epoch (1-based).</param>
/// <param name="StepsPerEpoch">Steps in the epoch.</param>
/// <param name="Terms">Loss terms of this step.</param>
public sealed record StepProgress(int Epoch, int Step, int StepsPerEpoch, IReadOnlyDictionary<string, float> Terms);

/// <summary>
/// Receives training progress: the CLI shows a console progress bar (<see cref="ConsoleReporter"/>),
/// notebooks an updating display (<see cref="LiveTrainingView"/>). Every method has a default that does nothing.
/// </summary>
public interface ITrainingReporter
{
    void OnStart(string model, int maxEpochs, int stepsPerEpoch) { }
    void OnStep(StepProgress progress) { }
    void OnEpoch(EpochRecord record, bool improved) { }
    void OnEnd(TrainingResult result) { }
}

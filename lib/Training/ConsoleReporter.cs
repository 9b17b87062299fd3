using Spectre.Console;

namespace MiDpg.Research.Training;

/// <summary>
/// Training progress in a terminal: a Spectre.Console progress bar over all steps (when the console is
/// interactive) and one line per epoch (always, so logs of unattended runs show the history).
/// </summary>
public sealed class ConsoleReporter(ProgressTask? task = null, string prefix = "") : ITrainingReporter
{
    int _stepsPerEpoch, _maxEpochs;

    public void OnStart(string model, int maxEpochs, int stepsPerEpoch)
    {
        (_maxEpochs, _stepsPerEpoch) = (maxEpochs, stepsPerEpoch);
        if (task is not null) { task.MaxValue = (double)maxEpochs * stepsPerEpoch; task.Description = $"{prefix}{model}"; }
    }

    public void OnStep(StepProgress p)
    {
        if (task is null) return;
        task.Value = (double)(p.Epoch - 1) * _stepsPerEpoch + p.Step;
        task.Description = $"{prefix}epoch {p.Epoch}/{_maxEpochs} loss {p.Terms.GetValueOrDefault("total"):F4}";
    }

    public void OnEpoch(EpochRecord r, bool improved) =>
        AnsiConsole.MarkupLine(Markup.Escape(
            $"{prefix}epoch {r.Epoch}: train loss {r.TrainLoss:F4}, valid AUC {r.ValidAuc:F4}, LogLoss {r.ValidLogLoss:F4}, " +
            $"{r.SamplesPerSecond:F0} samples/s{(improved ? " *" : "")}"));

    public void OnEnd(TrainingResult result)
    {
        if (task is not null) task.Value = task.MaxValue;
        AnsiConsole.MarkupLine(Markup.Escape($"{prefix}{result.Model}: best valid AUC {result.BestValidAuc:F4} at epoch {result.BestEpoch} ({result.StopReason})"));
    }
}

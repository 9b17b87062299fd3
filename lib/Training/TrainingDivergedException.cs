namespace MiDpg.Research.Training;

/// <summary>Training stopped because a loss term became NaN or infinite; the message names the step and every term.</summary>
public sealed class TrainingDivergedException(string message, int epoch, long step, IReadOnlyDictionary<string, float> terms)
    : Exception(message)
{
    public int Epoch { get; } = epoch;
    public long Step { get; } = step;
    public IReadOnlyDictionary<string, float> Terms { get; } = terms;
}

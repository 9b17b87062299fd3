namespace MiDpg.Research.Models;

/// <summary>
/// A model with a schedule that advances during training (e.g. AdaSparse's growing alpha). The trainer
/// calls <see cref="OnTrainingStep"/> after every optimiser step and <see cref="OnTrainingEpoch"/> after
/// every epoch; evaluation never advances it.
/// </summary>
public interface ITrainingScheduled
{
    /// <param name="step">Global 1-based step count since training began.</param>
    void OnTrainingStep(long step);

    /// <param name="epoch">The 1-based epoch that just ended.</param>
    void OnTrainingEpoch(int epoch);
}

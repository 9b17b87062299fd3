using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;

namespace MiDpg.Research.Training;

/// <summary>
/// Tells the models that schedule something during training (AdaSparse's growing alpha, via
/// <see cref="ITrainingStepAware"/>) where training is: at the start of every epoch (0-based) and after
/// every optimiser step (the number of steps so far). Evaluation never advances a schedule.
/// </summary>
static class TrainingHooks
{
    public static void BeforeEpoch(ScenarioModel model, int epochFromZero)
    {
        if (model is ITrainingStepAware aware) aware.OnEpoch(epochFromZero);
    }

    public static void AfterStep(ScenarioModel model, long stepsSoFar)
    {
        if (model is ITrainingStepAware aware) aware.OnStep(stepsSoFar);
    }
}

using MiDpg.Research.Models;

namespace MiDpg.Research.Training;

/// <summary>
/// Calls the models that schedule something during training (AdaSparse's growing alpha) after
/// every optimiser step and every epoch.
/// </summary>
static class TrainingHooks
{
    public static void AfterStep(ScenarioModel model, long step)
    {
        if (model is ITrainingScheduled scheduled) scheduled.OnTrainingStep(step);
    }

    public static void AfterEpoch(ScenarioModel model, int epoch)
    {
        if (model is ITrainingScheduled scheduled) scheduled.OnTrainingEpoch(epoch);
    }
}
